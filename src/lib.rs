//! trustbook: AI-governance sources in, a public trust centre and an internal handbook out.
//!
//! The pipeline, one module a stage: [`load`] reads the sources into typed records (line
//! endings normalised, internal markers recognised), [`publish`] decides what the public
//! may see and why, [`check`] applies the rules across the records and [`report`] tells
//! people what was found, [`model`] builds one model per audience (the public one holds
//! only public data, its links and assets already resolved), [`render`] turns each model
//! into pages (every body through the sanitiser in [`html`]), and [`write`] swaps the
//! output folders in whole. [`build`] strings the stages together; [`serve`] runs them on
//! every save.

pub mod build;
pub mod check;
pub mod cli;
pub mod finding;
pub mod generations;
pub mod hash;
pub mod history;
pub mod html;
pub mod init;
pub mod kind;
pub mod links;
pub mod load;
pub mod memo;
pub mod model;
pub mod publish;
pub mod render;
pub mod report;
pub mod schedule;
pub mod serve;
pub mod sources;
pub mod urls;
pub mod write;
