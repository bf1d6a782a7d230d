//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod github_repo;
pub mod http;
