//! The application: its configuration and the state every handler gets (plain data), start-up, demo data, and the
//! router with its OpenAPI document.

pub mod config;
pub mod demo;
pub mod openapi;
pub mod router;
pub mod start;
pub mod state;
