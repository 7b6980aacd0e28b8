//! The photo pipeline: camera JPEG in, small privacy-safe JPEG out.
//!
//! EXIF is read first and kept as data (time taken, GPS); the picture is then decoded, turned upright (the EXIF
//! orientation would be lost with the EXIF), downscaled to about 2 MP and re-encoded. The encoder writes no EXIF at all,
//! so the location never leaves the phone inside the file. The hash of the final bytes is the photo's identity.

use std::io::Cursor;

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer, images::Image as FirImage};
use image::{DynamicImage, ExtendedColorType, ImageFormat, ImageReader, Limits, codecs::jpeg::JpegEncoder, metadata::Orientation};

use super::error::{DeviceError, Result};
use super::media::sha256_hex;
use crate::geo::LatLon;

/// About 2 megapixels: sharp enough to read a meter or a document on a table, small enough for a village uplink.
pub const MAX_PIXELS: u64 = 2_000_000;
pub const JPEG_QUALITY: u8 = 85;
/// Larger files are not photos from a phone camera.
pub const MAX_INPUT_BYTES: usize = 40 * 1024 * 1024;
const MAX_SIDE: u32 = 16_384;
/// China Standard Time, used when the camera wrote no offset (EXIF times are local wall-clock times).
const DEFAULT_OFFSET_SECS: i32 = 8 * 3600;

#[derive(Debug, Clone, PartialEq)]
pub struct ExifData {
    pub taken_at: Option<DateTime<Utc>>,
    pub location: Option<LatLon>,
    pub orientation: Option<u8>,
}

#[derive(Debug, Clone)]
pub struct ProcessedPhoto {
    /// The JPEG that is stored and uploaded (no EXIF).
    pub jpeg: Vec<u8>,
    pub sha256: String,
    pub width: u32,
    pub height: u32,
    pub source_width: u32,
    pub source_height: u32,
    pub taken_at: Option<DateTime<Utc>>,
    pub exif_location: Option<LatLon>,
}

fn rejected(msg: &str) -> DeviceError {
    DeviceError::Photo(msg.to_string())
}

/// Runs the whole pipeline on the bytes of a camera JPEG.
pub fn process_photo_bytes(input: &[u8]) -> Result<ProcessedPhoto> {
    process_photo_bytes_with(input, MAX_PIXELS, JPEG_QUALITY)
}

pub fn process_photo_bytes_with(input: &[u8], max_pixels: u64, quality: u8) -> Result<ProcessedPhoto> {
    if input.len() > MAX_INPUT_BYTES {
        return Err(rejected("照片文件过大"));
    }
    if !input.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Err(rejected("只能添加 JPEG 格式的照片"));
    }
    if !has_end_of_image(input) {
        return Err(rejected("照片文件不完整或已损坏，请重新拍摄"));
    }
    let exif = read_exif(input);
    let mut img = decode_jpeg(input)?;
    if let Some(o) = exif.orientation.and_then(Orientation::from_exif) {
        img.apply_orientation(o);
    }
    let (source_width, source_height) = (img.width(), img.height());
    let rgb = img.into_rgb8();
    let (width, height) = fit_within(source_width, source_height, max_pixels);
    let pixels = if (width, height) == (source_width, source_height) {
        rgb.into_raw()
    } else {
        resize_rgb(rgb.into_raw(), source_width, source_height, width, height)?
    };
    let mut jpeg = Vec::with_capacity((width as usize * height as usize) / 4);
    JpegEncoder::new_with_quality(&mut jpeg, quality.clamp(1, 100))
        .encode(&pixels, width, height, ExtendedColorType::Rgb8)
        .map_err(|e| DeviceError::Storage(format!("jpeg encode: {e}")))?;
    let sha256 = sha256_hex(&jpeg);
    Ok(ProcessedPhoto { jpeg, sha256, width, height, source_width, source_height, taken_at: exif.taken_at, exif_location: exif.location })
}

fn decode_jpeg(input: &[u8]) -> Result<DynamicImage> {
    let mut reader = ImageReader::with_format(Cursor::new(input), ImageFormat::Jpeg);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(768 * 1024 * 1024);
    reader.limits(limits);
    reader.decode().map_err(|e| match e {
        image::ImageError::Limits(_) => rejected("照片尺寸过大"),
        _ => rejected("照片文件已损坏或不是有效的 JPEG 图片"),
    })
}

/// Walks the JPEG's segments to its end-of-image marker. The decoder quietly fills a truncated file with grey (a
/// photo copied half-way, say); such a file must be refused, not uploaded. Bytes after EOI (motion-photo videos,
/// vendor trailers) are allowed.
fn has_end_of_image(b: &[u8]) -> bool {
    let mut i = 2;
    while i + 1 < b.len() {
        if b[i] != 0xFF {
            return false;
        }
        let marker = b[i + 1];
        match marker {
            0xFF => i += 1,
            0xD9 => return true,
            0x01 | 0xD0..=0xD7 => i += 2,
            _ => {
                let Some(len) = b.get(i + 2..i + 4).map(|l| u16::from_be_bytes([l[0], l[1]]) as usize) else { return false };
                i += 2 + len;
                if marker == 0xDA {
                    // Entropy-coded data runs to the next marker that is not a stuffed 0xFF00 or a restart marker.
                    while i + 1 < b.len() && !(b[i] == 0xFF && b[i + 1] != 0x00 && !(0xD0..=0xD7).contains(&b[i + 1])) {
                        i += 1;
                    }
                }
            }
        }
    }
    false
}

/// The largest size with the same aspect ratio and at most `max_pixels` pixels; never upscales.
pub fn fit_within(w: u32, h: u32, max_pixels: u64) -> (u32, u32) {
    let total = w as u64 * h as u64;
    if total <= max_pixels || w == 0 || h == 0 {
        return (w, h);
    }
    let scale = (max_pixels as f64 / total as f64).sqrt();
    let mut nw = ((w as f64 * scale).floor() as u32).max(1);
    let mut nh = ((h as f64 * scale).floor() as u32).max(1);
    while nw as u64 * nh as u64 > max_pixels {
        if nw >= nh { nw -= 1 } else { nh -= 1 }
    }
    (nw, nh)
}

fn resize_rgb(src: Vec<u8>, w: u32, h: u32, nw: u32, nh: u32) -> Result<Vec<u8>> {
    let internal = |e: &dyn std::fmt::Display| DeviceError::Storage(format!("resize: {e}"));
    let src = FirImage::from_vec_u8(w, h, src, PixelType::U8x3).map_err(|e| internal(&e))?;
    let mut dst = FirImage::new(nw, nh, PixelType::U8x3);
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3));
    Resizer::new().resize(&src, &mut dst, &options).map_err(|e| internal(&e))?;
    Ok(dst.into_vec())
}

/// EXIF is optional and often broken; anything unreadable is simply absent.
pub fn read_exif(input: &[u8]) -> ExifData {
    let none = ExifData { taken_at: None, location: None, orientation: None };
    let Ok(exif) = exif::Reader::new().read_from_container(&mut Cursor::new(input)) else {
        return none;
    };
    let field = |tag| exif.get_field(tag, exif::In::PRIMARY).map(|f| &f.value);
    let ascii = |tag| match field(tag) {
        Some(exif::Value::Ascii(v)) => v.first().cloned(),
        _ => None,
    };
    let taken_at = ascii(exif::Tag::DateTimeOriginal).or_else(|| ascii(exif::Tag::DateTime)).and_then(|raw| {
        let mut dt = exif::DateTime::from_ascii(&raw).ok()?;
        if let Some(off) = ascii(exif::Tag::OffsetTimeOriginal) {
            let _ = dt.parse_offset(&off);
        }
        exif_time_to_utc(&dt)
    });
    let coord = |value_tag, ref_tag, negative: u8| -> Option<f64> {
        let exif::Value::Rational(parts) = field(value_tag)? else { return None };
        if parts.len() < 3 || parts.iter().take(3).any(|r| r.denom == 0) {
            return None;
        }
        let deg = parts[0].to_f64() + parts[1].to_f64() / 60.0 + parts[2].to_f64() / 3600.0;
        let sign = match ascii(ref_tag) {
            Some(r) if r.first().map(u8::to_ascii_uppercase) == Some(negative) => -1.0,
            _ => 1.0,
        };
        Some(sign * deg)
    };
    let location =
        match (coord(exif::Tag::GPSLatitude, exif::Tag::GPSLatitudeRef, b'S'), coord(exif::Tag::GPSLongitude, exif::Tag::GPSLongitudeRef, b'W')) {
            (Some(lat), Some(lon)) => Some(LatLon { lat, lon }).filter(LatLon::is_valid),
            _ => None,
        };
    let orientation = field(exif::Tag::Orientation).and_then(|v| v.get_uint(0)).and_then(|n| u8::try_from(n).ok());
    ExifData { taken_at, location, orientation }
}

fn exif_time_to_utc(dt: &exif::DateTime) -> Option<DateTime<Utc>> {
    let naive =
        NaiveDate::from_ymd_opt(dt.year.into(), dt.month.into(), dt.day.into())?.and_hms_opt(dt.hour.into(), dt.minute.into(), dt.second.into())?;
    let offset = FixedOffset::east_opt(dt.offset.map_or(DEFAULT_OFFSET_SECS, |m| i32::from(m) * 60))?;
    offset.from_local_datetime(&naive).single().map(|t| t.with_timezone(&Utc))
}

/// A signature is a PNG drawn on the phone; it is stored as is. Only its shape is checked.
pub fn check_signature_png(bytes: &[u8]) -> Result<()> {
    const PNG_MAGIC: &[u8] = b"\x89PNG\r\n\x1a\n";
    if bytes.len() > 4 * 1024 * 1024 {
        return Err(rejected("签名图片过大"));
    }
    if bytes.len() < 33 || !bytes.starts_with(PNG_MAGIC) || &bytes[12..16] != b"IHDR" {
        return Err(rejected("签名图片无效，应为 PNG 格式"));
    }
    let w = u32::from_be_bytes([bytes[16], bytes[17], bytes[18], bytes[19]]);
    let h = u32::from_be_bytes([bytes[20], bytes[21], bytes[22], bytes[23]]);
    if w == 0 || h == 0 {
        return Err(rejected("签名图片无效，应为 PNG 格式"));
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod testing {
    //! Real JPEGs for tests, made with the `image` encoder, optionally with a hand-built EXIF APP1 segment.

    use super::*;

    /// A noisy gradient (so the encoder has real work and the JPEG is not tiny).
    pub fn jpeg(w: u32, h: u32) -> Vec<u8> {
        let mut px = Vec::with_capacity((w * h * 3) as usize);
        let mut seed = 0x2545_f491u32;
        for y in 0..h {
            for x in 0..w {
                seed ^= seed << 13;
                seed ^= seed >> 17;
                seed ^= seed << 5;
                let n = (seed & 0x1f) as u8;
                px.extend_from_slice(&[(x * 255 / w) as u8 ^ n, (y * 255 / h) as u8, 128u8.wrapping_add(n)]);
            }
        }
        let mut out = Vec::new();
        JpegEncoder::new_with_quality(&mut out, 90).encode(&px, w, h, ExtendedColorType::Rgb8).unwrap();
        out
    }

    /// A TIFF-structured EXIF block (big-endian): IFD0 {Orientation, ExifIFD→, GPSIFD→}, Exif IFD {DateTimeOriginal},
    /// GPS IFD {lat ref, lat, lon ref, lon}. Written byte by byte, as a camera would.
    pub fn exif_app1(lat: f64, lon: f64, taken: &str, orientation: u16) -> Vec<u8> {
        fn dms(v: f64) -> [(u32, u32); 3] {
            let v = v.abs();
            let d = v.floor();
            let m = ((v - d) * 60.0).floor();
            let s = ((v - d) * 60.0 - m) * 60.0;
            [(d as u32, 1), (m as u32, 1), ((s * 10_000.0).round() as u32, 10_000)]
        }
        let mut t: Vec<u8> = Vec::new();
        let u16b = |t: &mut Vec<u8>, v: u16| t.extend_from_slice(&v.to_be_bytes());
        let u32b = |t: &mut Vec<u8>, v: u32| t.extend_from_slice(&v.to_be_bytes());
        // Layout (offsets from the TIFF header): header 8, IFD0 at 8 (3 entries: 2+36+4 = 42) → 50,
        // Exif IFD at 50 (1 entry: 18) → 68, GPS IFD at 68 (4 entries: 54) → 122, data after.
        let (ifd0, exif_ifd, gps_ifd, data) = (8u32, 50u32, 68u32, 122u32);
        t.extend_from_slice(b"MM");
        u16b(&mut t, 42);
        u32b(&mut t, ifd0);
        // IFD0
        u16b(&mut t, 3);
        for (tag, typ, count, val) in [(0x0112u16, 3u16, 1u32, (orientation as u32) << 16), (0x8769, 4, 1, exif_ifd), (0x8825, 4, 1, gps_ifd)] {
            u16b(&mut t, tag);
            u16b(&mut t, typ);
            u32b(&mut t, count);
            u32b(&mut t, val);
        }
        u32b(&mut t, 0);
        assert_eq!(t.len() as u32, exif_ifd);
        // Exif IFD: DateTimeOriginal (ASCII, 20 bytes incl. NUL) at `data`.
        let dt_off = data;
        u16b(&mut t, 1);
        u16b(&mut t, 0x9003);
        u16b(&mut t, 2);
        u32b(&mut t, 20);
        u32b(&mut t, dt_off);
        u32b(&mut t, 0);
        assert_eq!(t.len() as u32, gps_ifd);
        // GPS IFD
        let (lat_off, lon_off) = (dt_off + 20, dt_off + 44);
        u16b(&mut t, 4);
        let lat_ref = if lat < 0.0 { b'S' } else { b'N' };
        let lon_ref = if lon < 0.0 { b'W' } else { b'E' };
        for (tag, typ, count, val) in [
            (0x0001u16, 2u16, 2u32, u32::from_be_bytes([lat_ref, 0, 0, 0])),
            (0x0002, 5, 3, lat_off),
            (0x0003, 2, 2, u32::from_be_bytes([lon_ref, 0, 0, 0])),
            (0x0004, 5, 3, lon_off),
        ] {
            u16b(&mut t, tag);
            u16b(&mut t, typ);
            u32b(&mut t, count);
            u32b(&mut t, val);
        }
        u32b(&mut t, 0);
        assert_eq!(t.len() as u32, data);
        let mut ts = taken.as_bytes().to_vec();
        ts.resize(19, b' ');
        ts.push(0);
        t.extend_from_slice(&ts);
        for v in [lat, lon] {
            for (n, d) in dms(v) {
                u32b(&mut t, n);
                u32b(&mut t, d);
            }
        }
        let mut seg = vec![0xFF, 0xE1];
        seg.extend_from_slice(&((t.len() + 8) as u16).to_be_bytes());
        seg.extend_from_slice(b"Exif\0\0");
        seg.extend_from_slice(&t);
        seg
    }

    /// Inserts an APP1 segment right after SOI.
    pub fn with_exif(jpeg: &[u8], app1: &[u8]) -> Vec<u8> {
        let mut out = jpeg[..2].to_vec();
        out.extend_from_slice(app1);
        out.extend_from_slice(&jpeg[2..]);
        out
    }

    /// A minimal valid PNG header (signature + IHDR) followed by arbitrary bytes: enough for the shape check.
    pub fn png(marker: &[u8]) -> Vec<u8> {
        let mut b = b"\x89PNG\r\n\x1a\n".to_vec();
        b.extend_from_slice(&13u32.to_be_bytes());
        b.extend_from_slice(b"IHDR");
        b.extend_from_slice(&400u32.to_be_bytes());
        b.extend_from_slice(&200u32.to_be_bytes());
        b.extend_from_slice(&[8, 6, 0, 0, 0, 0, 0, 0, 0]);
        b.extend_from_slice(marker);
        b
    }
}

#[cfg(test)]
mod tests {
    use super::testing::*;
    use super::*;

    #[test]
    fn exif_gps_and_time_are_read_as_data_and_stripped_from_the_file() {
        let src = with_exif(&jpeg(640, 480), &exif_app1(26.4305, 106.6706, "2026:03:14 09:30:00", 1));
        let exif = read_exif(&src);
        let loc = exif.location.expect("gps read");
        assert!((loc.lat - 26.4305).abs() < 1e-5 && (loc.lon - 106.6706).abs() < 1e-5, "{loc:?}");
        // 09:30 Beijing time is 01:30 UTC.
        assert_eq!(exif.taken_at.unwrap().to_rfc3339(), "2026-03-14T01:30:00+00:00");

        let out = process_photo_bytes(&src).unwrap();
        assert_eq!(out.exif_location, exif.location);
        assert_eq!(read_exif(&out.jpeg), ExifData { taken_at: None, location: None, orientation: None });
        assert!(!out.jpeg.windows(6).any(|w| w == b"Exif\0\0"), "no APP1 EXIF in the output");
        assert_eq!((out.width, out.height), (640, 480), "small photos are not upscaled");
        assert_eq!(out.sha256, sha256_hex(&out.jpeg));
    }

    #[test]
    fn a_12_megapixel_photo_is_downscaled_to_about_2_megapixels_keeping_aspect() {
        let src = jpeg(4000, 3000);
        let out = process_photo_bytes(&src).unwrap();
        assert!(out.width as u64 * out.height as u64 <= MAX_PIXELS);
        assert!(out.width as u64 * out.height as u64 > MAX_PIXELS * 95 / 100);
        let aspect = out.width as f64 / out.height as f64;
        assert!((aspect - 4.0 / 3.0).abs() < 0.01, "{aspect}");
        let decoded = image::load_from_memory_with_format(&out.jpeg, ImageFormat::Jpeg).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (out.width, out.height));
    }

    #[test]
    fn exif_orientation_is_applied_to_the_pixels() {
        let src = with_exif(&jpeg(64, 32), &exif_app1(26.0, 106.0, "2026:01:01 00:00:00", 6));
        let out = process_photo_bytes(&src).unwrap();
        assert_eq!((out.width, out.height), (32, 64));
    }

    #[test]
    fn corrupt_and_non_jpeg_input_is_refused_in_chinese() {
        let err = process_photo_bytes(b"\x89PNG\r\n\x1a\nnot a jpeg").unwrap_err();
        assert_eq!(err.code(), "photo");
        assert!(err.message_zh().contains("JPEG"));
        let whole = jpeg(200, 100);
        for cut in [300, whole.len() / 2, whole.len() - 2] {
            let err = process_photo_bytes(&whole[..cut]).unwrap_err();
            assert_eq!(err.code(), "photo");
            assert!(err.message_zh().contains("损坏"), "{}", err.message_zh());
        }
        // Data after the end of the image (a motion photo's video, say) is fine.
        let mut trailer = whole.clone();
        trailer.extend_from_slice(b"ftypmp42 trailing video bytes");
        assert!(process_photo_bytes(&trailer).is_ok());
    }

    #[test]
    fn fit_within_never_upscales_and_respects_the_budget() {
        assert_eq!(fit_within(100, 100, 2_000_000), (100, 100));
        let (w, h) = fit_within(4032, 3024, 2_000_000);
        assert!(w as u64 * h as u64 <= 2_000_000);
        assert_eq!(fit_within(100_000, 1, 1000), (1000, 1));
    }
}
