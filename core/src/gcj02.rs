//! WGS-84 → GCJ-02 ("Mars coordinates"), the datum Chinese web maps such as AMap and Tencent draw their tiles in.
//! Ruhu stores WGS-84; this runs only when a map provider needs GCJ-02 (天地图 uses CGCS2000, which is WGS-84 to
//! within centimetres, and needs no conversion).
//!
//! The offset is the widely published polynomial approximation on the Krasovsky 1940 ellipsoid; it is applied only
//! inside the rough bounding box of China, as the providers do.

use crate::geo::LatLon;

/// Krasovsky 1940 semi-major axis (m) and first eccentricity squared.
const A: f64 = 6_378_245.0;
const EE: f64 = 0.006_693_421_622_965_943;

/// Outside this box the providers draw WGS-84 as is.
pub fn outside_china(p: LatLon) -> bool {
    !(72.004..=137.8347).contains(&p.lon) || !(0.8293..=55.8271).contains(&p.lat)
}

/// The term both offsets share.
fn waves(x: f64) -> f64 {
    use std::f64::consts::PI;
    (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0
}

fn lat_offset(x: f64, y: f64) -> f64 {
    use std::f64::consts::PI;
    -100.0
        + 2.0 * x
        + 3.0 * y
        + 0.2 * y * y
        + 0.1 * x * y
        + 0.2 * x.abs().sqrt()
        + waves(x)
        + (20.0 * (y * PI).sin() + 40.0 * (y / 3.0 * PI).sin()) * 2.0 / 3.0
        + (160.0 * (y / 12.0 * PI).sin() + 320.0 * (y * PI / 30.0).sin()) * 2.0 / 3.0
}

fn lon_offset(x: f64, y: f64) -> f64 {
    use std::f64::consts::PI;
    300.0
        + x
        + 2.0 * y
        + 0.1 * x * x
        + 0.1 * x * y
        + 0.1 * x.abs().sqrt()
        + waves(x)
        + (20.0 * (x * PI).sin() + 40.0 * (x / 3.0 * PI).sin()) * 2.0 / 3.0
        + (150.0 * (x / 12.0 * PI).sin() + 300.0 * (x / 30.0 * PI).sin()) * 2.0 / 3.0
}

/// The GCJ-02 position a Chinese web map shows for a WGS-84 fix.
pub fn from_wgs84(p: LatLon) -> LatLon {
    use std::f64::consts::PI;
    if outside_china(p) {
        return p;
    }
    let (x, y) = (p.lon - 105.0, p.lat - 35.0);
    let rad_lat = p.lat / 180.0 * PI;
    let magic = 1.0 - EE * rad_lat.sin().powi(2);
    let sqrt_magic = magic.sqrt();
    let d_lat = lat_offset(x, y) * 180.0 / ((A * (1.0 - EE)) / (magic * sqrt_magic) * PI);
    let d_lon = lon_offset(x, y) * 180.0 / (A / sqrt_magic * rad_lat.cos() * PI);
    LatLon { lat: p.lat + d_lat, lon: p.lon + d_lon }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geo::distance_m;

    fn close(a: LatLon, b: LatLon, tolerance_deg: f64) -> bool {
        (a.lat - b.lat).abs() < tolerance_deg && (a.lon - b.lon).abs() < tolerance_deg
    }

    #[test]
    fn the_published_reference_point_in_beijing() {
        // Tiananmen: WGS-84 (39.915, 116.404) is shown by GCJ-02 maps at (39.91640428, 116.41024450), the example
        // value the open-source coordinate converters publish for this formula.
        let g = from_wgs84(LatLon { lat: 39.915, lon: 116.404 });
        assert!(close(g, LatLon { lat: 39.916_404_281_501_64, lon: 116.410_244_499_169_38 }, 1e-7), "{g:?}");
    }

    #[test]
    fn a_point_in_huaxi_moves_by_a_few_hundred_metres_and_points_abroad_do_not_move() {
        let qingyan = LatLon { lat: 26.3329, lon: 106.6856 };
        let shifted = from_wgs84(qingyan);
        let d = distance_m(qingyan, shifted);
        // The GCJ-02 offset is a few hundred metres everywhere in mainland China, eastward at this longitude.
        assert!((200.0..700.0).contains(&d), "{d} m");
        assert!(shifted.lon > qingyan.lon, "{shifted:?}");
        let tokyo = LatLon { lat: 35.6895, lon: 139.6917 };
        assert_eq!(from_wgs84(tokyo), tokyo);
    }
}
