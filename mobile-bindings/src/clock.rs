//! The day the apps show and judge deadlines by: the core's clock, so that the shells never read their own.

/// Today in China (`YYYY-MM-DD`) on the phone's clock.
#[uniffi::export]
pub fn today_in_china() -> String {
    ruhu_core::time::process_clock().today().to_string()
}
