#!/usr/bin/env bash
# A shortcut to the tests that need a Secret Service (the `keyring-tests` feature: the keyring
# itself in rota-io; `rota secret set` and the token never in any output, the outbox with secrets
# from the keyring, a refusal kept with GitHub's reason, `rota stats` on GitHub in rota), with the
# rest of those two crates' tests, in the private session of tests/session.sh (a real Secret
# Service). Extra arguments go to `cargo test` (a test name to filter on, say). tests/run runs
# them with every other test, in one session.
exec "$(dirname "$0")/session.sh" cargo test -p rota-io -p rota --all-features "$@"
