//! What Rota's integration tests share, and never shipped: a small HTTP/1.1 server on the loopback
//! interface ([`http`]), one fake GitHub that answers as the real API does ([`github`], also run as
//! the `fake-github` program by the end-to-end tests), a throwaway home with its own XDG folders in
//! which the real `rota` runs ([`home`]), the small team files tests write ([`team`]), and a way
//! for a test that must change its process's environment to run in a process of its own
//! ([`alone`]).
//!
//! It is a dev-dependency of `rota-core`'s neighbours only (`rota-io`, `rota`): nothing in it may
//! depend on them, so a test of either crate sees them as a user of the crate does.

pub mod alone;
pub mod github;
pub mod home;
pub mod http;
pub mod team;
