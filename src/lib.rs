//! trustbook: AI-governance sources in, a public trust centre and an internal handbook out.
//!
//! The pipeline, one module a stage: [`load`] reads the sources into typed records,
//! [`check`] applies the rules across them, and [`report`] tells people what was found.
//! The command line in `main.rs` strings them together.

pub mod build;
pub mod check;
pub mod cli;
pub mod finding;
pub mod html;
pub mod init;
pub mod links;
pub mod load;
pub mod model;
pub mod publish;
pub mod render;
pub mod report;
pub mod serve;
pub mod sources;
pub mod urls;
pub mod write;
