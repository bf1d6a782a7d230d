//! What Rota's integration tests share, and never shipped: a small HTTP/1.1 server on the loopback
//! interface ([`http`]), one fake GitHub that answers as the real API does ([`github`], also run as
//! the `fake-github` program by the end-to-end tests), one fake Slack Web API ([`slack`]), a throwaway home with its own XDG folders in
//! which the real `rota` runs ([`home`]), the small team files tests write ([`team`]), the fuzz corpora replayed ([`fuzz`]), and a way
//! for a test that must change its process's environment to run in a process of its own
//! ([`alone`]).
//!
//! It is a dev-dependency only, and depends on no crate of the workspace: each crate's tests see
//! that crate as its users do, never a second copy of it.

pub mod alone;
pub mod fuzz;
pub mod github;
pub mod home;
pub mod http;
pub mod slack;
pub mod team;
