//! Crate docs.

/// Adds one.
///
/// # Examples
#[inline]
pub fn add_one(x: i32) -> i32 {
    x + 1
}

pub struct Point {
    x: f64,
}

impl Point {
    /// Makes a point.
    pub fn new(x: f64) -> Self {
        Point { x }
    }

    // plain comment
    fn norm(&self) -> f64 {
        if self.x < 0.0 { -self.x } else { self.x }
    }
}

impl<T: Clone> Shape for Wrapper<T> {
    fn area(&self) -> f64 {
        match self.kind {
            Kind::A => 1.0,
            _ => 2.0,
        }
    }
}

trait Shape {
    fn area(&self) -> f64;
    fn name(&self) -> String {
        String::from("shape")
    }
}
