//! Who is calling and what they may see: login sessions with rotating refresh tokens and short-lived access tokens
//! bound to a registered device, users with their roles, devices, org units, and org scoping in one place.

pub mod accounts;
pub mod caller;
pub mod devices;
pub mod jwt;
pub mod login;
pub mod org;
pub mod password;
pub mod refresh;
pub mod scope;
pub mod users;
