//! Positions are WGS-84 everywhere in Ruhu; map providers that need GCJ-02 convert at display time.

use serde::{Deserialize, Serialize};

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LatLon {
    pub lat: f64,
    pub lon: f64,
}

impl LatLon {
    pub fn is_valid(&self) -> bool {
        self.lat.is_finite() && self.lon.is_finite() && (-90.0..=90.0).contains(&self.lat) && (-180.0..=180.0).contains(&self.lon)
    }
}

const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Great-circle distance in metres (haversine; well within GPS error at household scale).
pub fn distance_m(a: LatLon, b: LatLon) -> f64 {
    let (p1, p2) = (a.lat.to_radians(), b.lat.to_radians());
    let dp = p2 - p1;
    let dl = (b.lon - a.lon).to_radians();
    let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().asin()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_between_two_points_in_huaxi() {
        // 青岩古镇 to 花溪公园: about 11 km as the crow flies.
        let d = distance_m(LatLon { lat: 26.3329, lon: 106.6856 }, LatLon { lat: 26.4305, lon: 106.6706 });
        assert!((10_000.0..12_000.0).contains(&d), "{d}");
        assert!(distance_m(LatLon { lat: 26.0, lon: 106.0 }, LatLon { lat: 26.0, lon: 106.0 }) < 1e-6);
        assert!(!LatLon { lat: 91.0, lon: 0.0 }.is_valid());
    }
}
