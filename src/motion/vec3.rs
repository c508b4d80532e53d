//! Small 3-vector helpers; the core needs no linear-algebra crate.

/// A 3-vector in the sensor's frame.
pub type Vec3 = [f64; 3];

/// Dot product.
#[inline]
pub fn dot(a: Vec3, b: Vec3) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

/// Cross product.
#[inline]
pub fn cross(a: Vec3, b: Vec3) -> Vec3 {
    [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ]
}

/// Euclidean length.
#[inline]
pub fn norm(a: Vec3) -> f64 {
    dot(a, a).sqrt()
}

/// `a * k`.
#[inline]
pub fn scale(a: Vec3, k: f64) -> Vec3 {
    [a[0] * k, a[1] * k, a[2] * k]
}

/// `a + b`.
#[inline]
pub fn add(a: Vec3, b: Vec3) -> Vec3 {
    [a[0] + b[0], a[1] + b[1], a[2] + b[2]]
}

/// `a - b`.
#[inline]
pub fn sub(a: Vec3, b: Vec3) -> Vec3 {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}

/// `a` scaled to unit length, or `None` for a (near) zero vector.
#[inline]
pub fn unit(a: Vec3) -> Option<Vec3> {
    let n = norm(a);
    (n > 1e-9 && n.is_finite()).then(|| scale(a, 1.0 / n))
}

/// The angle between two vectors in degrees (0..=180); robust near 0 and 180.
#[inline]
pub fn angle_deg(a: Vec3, b: Vec3) -> f64 {
    norm(cross(a, b)).atan2(dot(a, b)).to_degrees()
}

/// The angle between two unit vectors in degrees; cheaper than [`angle_deg`] and
/// accurate to about 1e-6 deg near 0.
#[inline]
pub fn unit_angle_deg(a: Vec3, b: Vec3) -> f64 {
    acos(dot(a, b).clamp(-1.0, 1.0)).to_degrees()
}

/// `x.acos()` to within 2e-8 rad (Abramowitz and Stegun 4.4.46), for `x` in
/// -1..=1: a third of libm's time on every sample, where libm's last digits
/// are far below any strap's resolution.
#[inline]
fn acos(x: f64) -> f64 {
    const A: [f64; 8] = [
        1.570_796_305_0,
        -0.214_598_801_6,
        0.088_978_987_4,
        -0.050_174_304_6,
        0.030_891_881_0,
        -0.017_088_125_6,
        0.006_670_090_1,
        -0.001_262_491_1,
    ];
    let ax = x.abs();
    // Estrin's scheme: the pairs are independent, so the polynomial costs a
    // few multiplications' latency rather than eight in a chain.
    let x2 = ax * ax;
    let x4 = x2 * x2;
    let lo = (A[0] + A[1] * ax) + x2 * (A[2] + A[3] * ax);
    let hi = (A[4] + A[5] * ax) + x2 * (A[6] + A[7] * ax);
    let poly = lo + x4 * hi;
    let r = (1.0 - ax).sqrt() * poly;
    if x < 0.0 { std::f64::consts::PI - r } else { r }
}

/// `a` moved towards `b` by the fraction `k`.
#[inline]
pub fn lerp(a: Vec3, b: Vec3, k: f64) -> Vec3 {
    add(a, scale(sub(b, a), k))
}

/// Rotates `v` by the rotation vector `r` (axis times angle in radians), Rodrigues.
pub fn rotate(v: Vec3, r: Vec3) -> Vec3 {
    let th = norm(r);
    if th < 1e-12 {
        return v;
    }
    let k = scale(r, 1.0 / th);
    let (s, c) = th.sin_cos();
    add(
        add(scale(v, c), scale(cross(k, v), s)),
        scale(k, dot(k, v) * (1.0 - c)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fast_arc_cosine_is_within_2e_8_rad_everywhere() {
        let worst = (-100_000..=100_000)
            .map(|i| f64::from(i) / 100_000.0)
            .chain([1.0 - 1e-12, -1.0 + 1e-12, 1e-300])
            .map(|x| (acos(x) - x.acos()).abs())
            .fold(0.0, f64::max);
        assert!(worst < 2.5e-8, "{worst:e}");
        assert_eq!(acos(1.0), 0.0);
    }

    #[test]
    fn angle_between_axes() {
        assert!((angle_deg([1.0, 0.0, 0.0], [0.0, 1.0, 0.0]) - 90.0).abs() < 1e-9);
        assert!(angle_deg([0.0, 0.0, 2.0], [0.0, 0.0, 1.0]).abs() < 1e-9);
        assert!((angle_deg([1.0, 0.0, 0.0], [-1.0, 0.0, 0.0]) - 180.0).abs() < 1e-9);
    }

    #[test]
    fn rotate_quarter_turn_about_z() {
        let v = rotate([1.0, 0.0, 0.0], [0.0, 0.0, std::f64::consts::FRAC_PI_2]);
        assert!(norm(sub(v, [0.0, 1.0, 0.0])) < 1e-12);
    }

    #[test]
    fn unit_of_zero_is_none() {
        assert_eq!(unit([0.0; 3]), None);
        assert_eq!(unit([f64::NAN, 0.0, 0.0]), None);
    }
}
