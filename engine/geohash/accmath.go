package geohash

import "math"

// Redis computes distances with the C library's sin, cos and asin, which
// glibc rounds correctly in practically every case; Go's math package is
// only accurate to an ulp or two, enough to change the 17th digit of a
// STOREDIST score. These versions evaluate in double-double precision and
// round once, which reproduces glibc's results.

type dd struct{ hi, lo float64 }

func twoSum(a, b float64) dd {
	s := a + b
	bb := s - a
	return dd{s, (a - (s - bb)) + (b - bb)}
}

func quickTwoSum(a, b float64) dd {
	s := a + b
	return dd{s, b - (s - a)}
}

func twoProd(a, b float64) dd {
	p := a * b
	return dd{p, math.FMA(a, b, -p)}
}

func (x dd) add(y dd) dd {
	s := twoSum(x.hi, y.hi)
	t := twoSum(x.lo, y.lo)
	s.lo += t.hi
	s = quickTwoSum(s.hi, s.lo)
	s.lo += t.lo
	return quickTwoSum(s.hi, s.lo)
}

func (x dd) mul(y dd) dd {
	p := twoProd(x.hi, y.hi)
	p.lo += x.hi*y.lo + x.lo*y.hi
	return quickTwoSum(p.hi, p.lo)
}

func (x dd) divInt(n float64) dd {
	q1 := x.hi / n
	p := twoProd(q1, n)
	r := x.add(dd{-p.hi, -p.lo})
	q2 := r.hi / n
	return quickTwoSum(q1, q2)
}

func (x dd) neg() dd { return dd{-x.hi, -x.lo} }

// sinCosDD returns sin(x) and cos(x) for |x| below about 2, by their
// Taylor series in double-double.
func sinCosDD(x float64) (dd, dd) {
	xx := twoProd(x, x)
	sin, cos := dd{x, 0}, dd{1, 0}
	ts, tc := dd{x, 0}, dd{1, 0}
	for k := 1; k < 40; k++ {
		ts = ts.mul(xx).neg().divInt(float64((2 * k) * (2*k + 1)))
		tc = tc.mul(xx).neg().divInt(float64((2*k - 1) * (2 * k)))
		sin = sin.add(ts)
		cos = cos.add(tc)
		if math.Abs(ts.hi) < 1e-36 && math.Abs(tc.hi) < 1e-36 {
			break
		}
	}
	return sin, cos
}

// accSin is sin correctly rounded (|x| below about 2; falls back to
// math.Sin beyond).
func accSin(x float64) float64 {
	if math.Abs(x) > 2 || x == 0 || math.IsNaN(x) {
		return math.Sin(x)
	}
	s, _ := sinCosDD(x)
	return s.hi + s.lo
}

// accCos is cos correctly rounded (|x| below about 2).
func accCos(x float64) float64 {
	if math.Abs(x) > 2 || math.IsNaN(x) {
		return math.Cos(x)
	}
	_, c := sinCosDD(x)
	return c.hi + c.lo
}

// accAsin is asin correctly rounded for y in [0, 1): one Newton step in
// double-double from math.Asin.
func accAsin(y float64) float64 {
	if y <= 0 || y >= 0.9999 || math.IsNaN(y) {
		return math.Asin(y)
	}
	z := math.Asin(y)
	s, c := sinCosDD(z)
	// z + (y - sin z) / cos z
	r := dd{y, 0}.add(s.neg())
	corr := (r.hi + r.lo) / (c.hi + c.lo)
	return twoSum(z, corr).hi
}
