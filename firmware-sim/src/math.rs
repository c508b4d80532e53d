//! Small 3-D rotation helpers: 3x3 matrices and vectors as plain arrays.

/// A 3-vector.
pub type Vec3 = [f64; 3];
/// A row-major 3x3 matrix.
pub type Mat3 = [[f64; 3]; 3];

/// Identity matrix.
pub const IDENTITY: Mat3 = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];

/// Rotation about x by `deg` degrees.
pub fn rot_x(deg: f64) -> Mat3 {
    let (s, c) = deg.to_radians().sin_cos();
    [[1.0, 0.0, 0.0], [0.0, c, -s], [0.0, s, c]]
}

/// Rotation about y by `deg` degrees (positive tips +z toward +x).
pub fn rot_y(deg: f64) -> Mat3 {
    let (s, c) = deg.to_radians().sin_cos();
    [[c, 0.0, s], [0.0, 1.0, 0.0], [-s, 0.0, c]]
}

/// Rotation about z by `deg` degrees.
pub fn rot_z(deg: f64) -> Mat3 {
    let (s, c) = deg.to_radians().sin_cos();
    [[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]]
}

/// Matrix product `a * b`.
pub fn mul(a: &Mat3, b: &Mat3) -> Mat3 {
    let mut out = [[0.0; 3]; 3];
    for (i, row) in out.iter_mut().enumerate() {
        for (j, v) in row.iter_mut().enumerate() {
            *v = (0..3).map(|k| a[i][k] * b[k][j]).sum();
        }
    }
    out
}

/// Transpose (the inverse of a rotation).
pub fn transpose(a: &Mat3) -> Mat3 {
    let mut out = [[0.0; 3]; 3];
    for (i, row) in a.iter().enumerate() {
        for (j, v) in row.iter().enumerate() {
            out[j][i] = *v;
        }
    }
    out
}

/// Matrix times vector.
pub fn apply(a: &Mat3, v: Vec3) -> Vec3 {
    [0, 1, 2].map(|i| a[i][0] * v[0] + a[i][1] * v[1] + a[i][2] * v[2])
}

/// `a + s * b`.
pub fn axpy(a: Vec3, s: f64, b: Vec3) -> Vec3 {
    [a[0] + s * b[0], a[1] + s * b[1], a[2] + s * b[2]]
}

/// The axis vector of the skew-symmetric part of `m`.
pub fn vee(m: &Mat3) -> Vec3 {
    [
        (m[2][1] - m[1][2]) / 2.0,
        (m[0][2] - m[2][0]) / 2.0,
        (m[1][0] - m[0][1]) / 2.0,
    ]
}

/// Angle in degrees between two vectors.
pub fn angle_deg(a: Vec3, b: Vec3) -> f64 {
    let dot: f64 = (0..3).map(|i| a[i] * b[i]).sum();
    let na = a.iter().map(|x| x * x).sum::<f64>().sqrt();
    let nb = b.iter().map(|x| x * x).sum::<f64>().sqrt();
    (dot / (na * nb)).clamp(-1.0, 1.0).acos().to_degrees()
}

/// Smoothstep on [0, 1]: zero slope at both ends.
pub fn smoothstep(u: f64) -> f64 {
    let u = u.clamp(0.0, 1.0);
    u * u * (3.0 - 2.0 * u)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rot_y_tips_z_forward() {
        let z = apply(&rot_y(90.0), [0.0, 0.0, 1.0]);
        assert!((z[0] - 1.0).abs() < 1e-12 && z[2].abs() < 1e-12);
    }

    #[test]
    fn vee_of_small_rotation_is_its_axis_angle() {
        let r = rot_z(0.5);
        let w = vee(&r);
        assert!((w[2] - 0.5f64.to_radians()).abs() < 1e-6);
        assert!((angle_deg([1.0, 0.0, 0.0], apply(&r, [1.0, 0.0, 0.0])) - 0.5).abs() < 1e-9);
        let back = mul(&transpose(&r), &r);
        assert!((back[0][0] - 1.0).abs() < 1e-12);
    }
}
