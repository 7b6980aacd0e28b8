//! device engine
