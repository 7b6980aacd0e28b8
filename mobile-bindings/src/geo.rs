//! Distances for the assignment list ("距您约 1.2 公里"): the same great-circle formula the engine uses for the
//! distance of a visit's fix to the household.

use ruhu_core::geo::{LatLon, distance_m};

/// Metres between two points; None when either is not a valid coordinate.
#[uniffi::export]
pub fn distance_between(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> Option<f64> {
    let (a, b) = (LatLon { lat: lat1, lon: lon1 }, LatLon { lat: lat2, lon: lon2 });
    (a.is_valid() && b.is_valid()).then(|| distance_m(a, b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_thousandth_of_a_degree_of_latitude_is_about_111_metres_and_nonsense_has_no_distance() {
        let d = distance_between(26.3275, 106.6874, 26.3285, 106.6874).unwrap_or_default();
        assert!((d - 111.2).abs() < 1.0, "{d}");
        assert_eq!(distance_between(91.0, 0.0, 0.0, 0.0), None);
        assert_eq!(distance_between(f64::NAN, 0.0, 0.0, 0.0), None);
    }
}
