#include <string>

namespace geo {

/// A point in the plane.
class Point {
 public:
  /// Makes a point.
  Point(double x, double y) : x_(x), y_(y) {}
  ~Point() {}

  double x() const { return x_; }

 private:
  double x_, y_;
};

template <typename T>
T clamp(T v, T lo, T hi) {
  if (v < lo) return lo;
  if (v > hi) return hi;
  return v;
}

// Squared distance.
double Point::dist2(const Point& o) const {
  double dx = x_ - o.x_;
  return dx * dx;
}

}  // namespace geo
