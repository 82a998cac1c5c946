//! British National Grid (OSGB36 easting/northing, metres) to WGS84 latitude/longitude, for OS
//! files that give grid references only: the inverse Transverse Mercator projection on the Airy
//! 1830 ellipsoid, then the OS seven-parameter Helmert transformation to WGS84 (OS, "A guide to
//! coordinate systems in Great Britain", annexes C and the Helmert section). The Helmert step is
//! good to a few metres (OSTN15 would be centimetres); an address lookup needs no better.

/// Airy 1830 semi-major and semi-minor axes.
const AIRY: (f64, f64) = (6_377_563.396, 6_356_256.909);
/// GRS80 / WGS84 semi-major and semi-minor axes.
const WGS84: (f64, f64) = (6_378_137.0, 6_356_752.314_140);
/// National Grid: scale on the central meridian, true origin (49°N, 2°W), false origin.
const F0: f64 = 0.999_601_271_7;
const LAT0_DEG: f64 = 49.0;
const LON0_DEG: f64 = -2.0;
const E0: f64 = 400_000.0;
const N0: f64 = -100_000.0;

/// WGS84 `(latitude, longitude)` in degrees of a National Grid point.
pub fn to_wgs84(easting: f64, northing: f64) -> (f64, f64) {
    let (lat, lon) = to_osgb36(easting, northing);
    let (x, y, z) = to_cartesian(lat, lon, AIRY);
    let (x, y, z) = helmert_osgb36_to_wgs84(x, y, z);
    let (lat, lon) = from_cartesian(x, y, z, WGS84);
    (lat.to_degrees(), lon.to_degrees())
}

/// OSGB36 latitude and longitude, in radians, of a grid point (OS annex C).
fn to_osgb36(e: f64, n: f64) -> (f64, f64) {
    let (a, b) = AIRY;
    let (lat0, lon0) = (LAT0_DEG.to_radians(), LON0_DEG.to_radians());
    let e2 = 1.0 - (b * b) / (a * a);
    let nn = (a - b) / (a + b);
    let meridional = |lat: f64| {
        let (d, s) = (lat - lat0, lat + lat0);
        b * F0
            * ((1.0 + nn + 1.25 * nn.powi(2) + 1.25 * nn.powi(3)) * d
                - (3.0 * nn + 3.0 * nn.powi(2) + 2.625 * nn.powi(3)) * d.sin() * s.cos()
                + (1.875 * nn.powi(2) + 1.875 * nn.powi(3)) * (2.0 * d).sin() * (2.0 * s).cos()
                - (35.0 / 24.0) * nn.powi(3) * (3.0 * d).sin() * (3.0 * s).cos())
    };
    let mut lat = lat0 + (n - N0) / (a * F0);
    let mut m = meridional(lat);
    // Converges in a handful of steps; the bound only guards against non-finite input.
    for _ in 0..100 {
        if (n - N0 - m).abs() < 1e-5 {
            break;
        }
        lat += (n - N0 - m) / (a * F0);
        m = meridional(lat);
    }
    let (sin, cos, tan) = (lat.sin(), lat.cos(), lat.tan());
    let nu = a * F0 / (1.0 - e2 * sin * sin).sqrt();
    let rho = a * F0 * (1.0 - e2) / (1.0 - e2 * sin * sin).powf(1.5);
    let eta2 = nu / rho - 1.0;
    let vii = tan / (2.0 * rho * nu);
    let viii = tan / (24.0 * rho * nu.powi(3))
        * (5.0 + 3.0 * tan.powi(2) + eta2 - 9.0 * tan.powi(2) * eta2);
    let ix = tan / (720.0 * rho * nu.powi(5)) * (61.0 + 90.0 * tan.powi(2) + 45.0 * tan.powi(4));
    let x = 1.0 / (cos * nu);
    let xi = 1.0 / (cos * 6.0 * nu.powi(3)) * (nu / rho + 2.0 * tan.powi(2));
    let xii = 1.0 / (cos * 120.0 * nu.powi(5)) * (5.0 + 28.0 * tan.powi(2) + 24.0 * tan.powi(4));
    let xiia = 1.0 / (cos * 5040.0 * nu.powi(7))
        * (61.0 + 662.0 * tan.powi(2) + 1320.0 * tan.powi(4) + 720.0 * tan.powi(6));
    let de = e - E0;
    (
        lat - vii * de.powi(2) + viii * de.powi(4) - ix * de.powi(6),
        lon0 + x * de - xi * de.powi(3) + xii * de.powi(5) - xiia * de.powi(7),
    )
}

fn to_cartesian(lat: f64, lon: f64, (a, b): (f64, f64)) -> (f64, f64, f64) {
    let e2 = 1.0 - (b * b) / (a * a);
    let nu = a / (1.0 - e2 * lat.sin().powi(2)).sqrt();
    (
        nu * lat.cos() * lon.cos(),
        nu * lat.cos() * lon.sin(),
        (1.0 - e2) * nu * lat.sin(),
    )
}

/// The OS OSGB36 → WGS84 parameters: the published WGS84 → OSGB36 ones (tx −446.448 m,
/// ty +125.157 m, tz −542.060 m, s +20.4894 ppm, rx −0.1502″, ry −0.2470″, rz −0.8421″)
/// negated, which inverts the small-angle transformation to well under a millimetre.
fn helmert_osgb36_to_wgs84(x: f64, y: f64, z: f64) -> (f64, f64, f64) {
    let (tx, ty, tz) = (446.448, -125.157, 542.060);
    let s = -20.4894e-6;
    let arcsec = |v: f64| (v / 3600.0_f64).to_radians();
    let (rx, ry, rz) = (arcsec(0.1502), arcsec(0.2470), arcsec(0.8421));
    (
        tx + (1.0 + s) * x - rz * y + ry * z,
        ty + rz * x + (1.0 + s) * y - rx * z,
        tz - ry * x + rx * y + (1.0 + s) * z,
    )
}

fn from_cartesian(x: f64, y: f64, z: f64, (a, b): (f64, f64)) -> (f64, f64) {
    let e2 = 1.0 - (b * b) / (a * a);
    let p = (x * x + y * y).sqrt();
    let mut lat = z.atan2(p * (1.0 - e2));
    for _ in 0..10 {
        let nu = a / (1.0 - e2 * lat.sin().powi(2)).sqrt();
        lat = (z + e2 * nu * lat.sin()).atan2(p);
    }
    (lat, y.atan2(x))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverse_projection_matches_the_os_worked_example() {
        // OS guide, annex C: 651409.903 E, 313177.270 N is 52°39′27.2531″N 1°43′4.5177″E (OSGB36).
        let (lat, lon) = to_osgb36(651_409.903, 313_177.270);
        let want_lat = 52.0 + 39.0 / 60.0 + 27.2531 / 3600.0;
        let want_lon = 1.0 + 43.0 / 60.0 + 4.5177 / 3600.0;
        assert!(
            (lat.to_degrees() - want_lat).abs() < 1e-6,
            "{}",
            lat.to_degrees()
        );
        assert!(
            (lon.to_degrees() - want_lon).abs() < 1e-6,
            "{}",
            lon.to_degrees()
        );
    }

    #[test]
    fn wgs84_matches_onspd_centroids_within_about_five_metres() {
        // Grid references and WGS84 centroids of the same postcodes in the ONSPD extract
        // (computed by ONS with OSTN15). Found: within 1.9 m; 5e-5° is ~5.5 m of latitude and
        // ~3 m of longitude here.
        let cases = [
            (385_386.0, 801_193.0, 57.101_474, -2.242_851), // AB1 0AA
            (383_848.0, 398_589.0, 53.483_784, -2.244_866), // M1 1AD
            (533_951.0, 179_544.0, 51.498_972, -0.071_609), // SE1 2DL
        ];
        for (e, n, lat, lon) in cases {
            let (got_lat, got_lon) = to_wgs84(e, n);
            assert!(
                (got_lat - lat).abs() < 5e-5,
                "{e},{n}: lat {got_lat} vs {lat}"
            );
            assert!(
                (got_lon - lon).abs() < 5e-5,
                "{e},{n}: lon {got_lon} vs {lon}"
            );
        }
        // The OS example's OSGB36 answer is 52.6576, 1.7179; in WGS84 (52.65798, 1.71605) the
        // point moves by the datum shift, ~125 m west, which stays within 2e-3°.
        let (lat, lon) = to_wgs84(651_409.903, 313_177.270);
        assert!(
            (lat - 52.6576).abs() < 2e-3 && (lon - 1.7179).abs() < 2e-3,
            "{lat},{lon}"
        );
    }
}
