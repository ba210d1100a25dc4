// Package geohash implements the geohash arithmetic of Redis's GEO
// commands (geohash.c, geohash_helper.c) so that scores, positions,
// distances and search areas match Redis's to the bit: 52-bit interleaved
// hashes over longitude [-180, 180] and latitude [-85.05112878,
// 85.05112878], haversine distances on a sphere of 6372797.560856 m, and
// the 3x3 cell search around a point.
package geohash

import "math"

// Limits of the coordinates Redis accepts.
const (
	LongMin = -180.0
	LongMax = 180.0
	LatMin  = -85.05112878
	LatMax  = 85.05112878

	// StepMax is the precision of stored positions: 26 bits per axis.
	StepMax = 26

	earthRadius = 6372797.560856
	mercatorMax = 20037726.37
)

// degToRad is C's M_PI / 180.0: the double nearest pi divided by 180 in
// double arithmetic (a Go constant expression would round differently).
var degToRad = float64(math.Pi) / 180.0

// Bits is a geohash: interleaved bits and the number of bits per axis.
type Bits struct {
	Bits uint64
	Step uint8
}

func (b Bits) isZero() bool { return b.Bits == 0 && b.Step == 0 }

// Range is an interval of one coordinate.
type Range struct{ Min, Max float64 }

// Area is the cell a hash names.
type Area struct {
	Hash      Bits
	Long, Lat Range
}

var (
	longRange = Range{LongMin, LongMax}
	latRange  = Range{LatMin, LatMax}
)

func interleave64(xlo, ylo uint32) uint64 {
	b := [...]uint64{0x5555555555555555, 0x3333333333333333, 0x0F0F0F0F0F0F0F0F, 0x00FF00FF00FF00FF, 0x0000FFFF0000FFFF}
	s := [...]uint{1, 2, 4, 8, 16}
	x, y := uint64(xlo), uint64(ylo)
	for i := 4; i >= 0; i-- {
		x = (x | x<<s[i]) & b[i]
		y = (y | y<<s[i]) & b[i]
	}
	return x | y<<1
}

func deinterleave64(v uint64) uint64 {
	b := [...]uint64{0x5555555555555555, 0x3333333333333333, 0x0F0F0F0F0F0F0F0F, 0x00FF00FF00FF00FF, 0x0000FFFF0000FFFF, 0x00000000FFFFFFFF}
	s := [...]uint{0, 1, 2, 4, 8, 16}
	x, y := v, v>>1
	for i := 0; i < 6; i++ {
		x = (x | x>>s[i]) & b[i]
		y = (y | y>>s[i]) & b[i]
	}
	return x | y<<32
}

// toUint32 converts like C's double to uint32_t for the values Encode
// produces (non-negative, below 2^32).
func toUint32(f float64) uint32 { return uint32(uint64(f)) }

// Encode hashes a position with step bits per axis over the given ranges.
func Encode(lr, ar Range, long, lat float64, step uint8) (Bits, bool) {
	if step > 32 || step == 0 {
		return Bits{}, false
	}
	if long > LongMax || long < LongMin || lat > LatMax || lat < LatMin {
		return Bits{}, false
	}
	if lat < ar.Min || lat > ar.Max || long < lr.Min || long > lr.Max {
		return Bits{Step: step}, false
	}
	latOff := (lat - ar.Min) / (ar.Max - ar.Min)
	longOff := (long - lr.Min) / (lr.Max - lr.Min)
	latOff *= float64(uint64(1) << step)
	longOff *= float64(uint64(1) << step)
	return Bits{Bits: interleave64(toUint32(latOff), toUint32(longOff)), Step: step}, true
}

// EncodeWGS84 hashes a position over Redis's coordinate ranges.
func EncodeWGS84(long, lat float64, step uint8) (Bits, bool) {
	return Encode(longRange, latRange, long, lat, step)
}

// Align52 left-aligns a hash to 52 bits: the sorted set score.
func Align52(h Bits) uint64 { return h.Bits << (52 - uint(h.Step)*2) }

// Decode returns the cell a hash names.
func Decode(lr, ar Range, h Bits) (Area, bool) {
	if h.isZero() {
		return Area{}, false
	}
	sep := deinterleave64(h.Bits)
	latScale := ar.Max - ar.Min
	longScale := lr.Max - lr.Min
	ilato := uint32(sep)
	ilono := uint32(sep >> 32)
	div := float64(uint64(1) << h.Step)
	return Area{
		Hash: h,
		Lat:  Range{ar.Min + (float64(ilato)*1.0/div)*latScale, ar.Min + (float64(uint64(ilato)+1)*1.0/div)*latScale},
		Long: Range{lr.Min + (float64(ilono)*1.0/div)*longScale, lr.Min + (float64(uint64(ilono)+1)*1.0/div)*longScale},
	}, true
}

// DecodeScore returns the position a sorted set score stands for (the
// centre of its cell).
func DecodeScore(score float64) (long, lat float64, ok bool) {
	a, ok := Decode(longRange, latRange, Bits{Bits: uint64(score), Step: StepMax})
	if !ok {
		return 0, 0, false
	}
	long = (a.Long.Min + a.Long.Max) / 2
	long = math.Min(math.Max(long, LongMin), LongMax)
	lat = (a.Lat.Min + a.Lat.Max) / 2
	lat = math.Min(math.Max(lat, LatMin), LatMax)
	return long, lat, true
}

// Score returns the sorted set score of a position.
func Score(long, lat float64) uint64 {
	h, _ := EncodeWGS84(long, lat, StepMax)
	return Align52(h)
}

const alphabet = "0123456789bcdefghjkmnpqrstuvwxyz"

// String returns the 11-character standard geohash of a stored position
// (re-encoded over latitude [-90, 90], as GEOHASH does).
func String(long, lat float64) string {
	h, _ := Encode(Range{-180, 180}, Range{-90, 90}, long, lat, 26)
	var buf [11]byte
	for i := 0; i < 11; i++ {
		idx := 0
		if i != 10 {
			idx = int(h.Bits>>(52-uint((i+1)*5))) & 0x1f
		}
		buf[i] = alphabet[idx]
	}
	return string(buf[:])
}

func degRad(a float64) float64 { return a * degToRad }
func radDeg(a float64) float64 { return a / degToRad }

// Distance is the haversine distance in meters between two positions.
func Distance(lon1, lat1, lon2, lat2 float64) float64 {
	lat1r, lon1r := degRad(lat1), degRad(lon1)
	lat2r, lon2r := degRad(lat2), degRad(lon2)
	u := accSin((lat2r - lat1r) / 2)
	v := accSin((lon2r - lon1r) / 2)
	return 2.0 * earthRadius * accAsin(math.Sqrt(u*u+accCos(lat1r)*accCos(lat2r)*v*v))
}

// Shape is a search area: a circle (Radius) or a box (Width x Height),
// in the query's unit, around (Long, Lat); Conversion is meters per unit.
type Shape struct {
	Long, Lat     float64
	Box           bool
	Radius        float64
	Width, Height float64
	Conversion    float64
}

// Within reports whether a position is in the shape, and its distance from
// the centre in meters.
func (s *Shape) Within(long, lat float64) (float64, bool) {
	if !s.Box {
		d := Distance(s.Long, s.Lat, long, lat)
		return d, d <= s.Radius*s.Conversion
	}
	w, h := s.Width*s.Conversion, s.Height*s.Conversion
	lonDist := Distance(long, lat, s.Long, lat)
	latDist := Distance(long, lat, long, s.Lat)
	if lonDist > w/2 || latDist > h/2 {
		return 0, false
	}
	return Distance(s.Long, s.Lat, long, lat), true
}

func (s *Shape) boundingBox() (minLon, minLat, maxLon, maxLat float64) {
	height, width := s.Conversion*s.Radius, s.Conversion*s.Radius
	if s.Box {
		height, width = s.Conversion*(s.Height/2), s.Conversion*(s.Width/2)
	}
	latDelta := radDeg(height / earthRadius)
	longDeltaTop := radDeg(width / earthRadius / accCos(degRad(s.Lat+latDelta)))
	longDeltaBottom := radDeg(width / earthRadius / accCos(degRad(s.Lat-latDelta)))
	if s.Lat < 0 {
		return s.Long - longDeltaBottom, s.Lat - latDelta, s.Long + longDeltaBottom, s.Lat + latDelta
	}
	return s.Long - longDeltaTop, s.Lat - latDelta, s.Long + longDeltaTop, s.Lat + latDelta
}

func estimateSteps(meters, lat float64) uint8 {
	if meters == 0 {
		return 26
	}
	step := 1
	for meters < mercatorMax {
		meters *= 2
		step++
	}
	step -= 2
	if lat > 66 || lat < -66 {
		step--
		if lat > 80 || lat < -80 {
			step--
		}
	}
	return uint8(min(max(step, 1), 26))
}

func moveX(h *Bits, d int) { move(h, d, 0xaaaaaaaaaaaaaaaa) }
func moveY(h *Bits, d int) { move(h, d, 0x5555555555555555) }

// move steps h one cell along the axis whose interleaved bits are mask,
// up when d > 0 and down otherwise; the other axis's bits stay.
func move(h *Bits, d int, mask uint64) {
	a := h.Bits & mask
	other := h.Bits &^ mask
	zz := ^mask >> (64 - uint(h.Step)*2)
	if d > 0 {
		a = a + (zz + 1)
	} else {
		a = a | zz
		a = a - (zz + 1)
	}
	a &= mask >> (64 - uint(h.Step)*2)
	h.Bits = a | other
}

func moved(h Bits, dx, dy int) Bits {
	if dx != 0 {
		moveX(&h, dx)
	}
	if dy != 0 {
		moveY(&h, dy)
	}
	return h
}

// Cells returns the cells to scan for a search, in Redis's order: the
// centre, then north, south, east, west, north-east, north-west,
// south-east, south-west; cells that cannot hold results are zero.
func (s *Shape) Cells() [9]Bits {
	minLon, minLat, maxLon, maxLat := s.boundingBox()
	radius := s.Radius
	if s.Box {
		radius = math.Sqrt((s.Width/2)*(s.Width/2) + (s.Height/2)*(s.Height/2))
	}
	radius *= s.Conversion
	steps := estimateSteps(radius, s.Lat)
	hash, _ := EncodeWGS84(s.Long, s.Lat, steps)
	n := neighbors(hash)
	area, _ := Decode(longRange, latRange, hash)
	north, _ := Decode(longRange, latRange, n[1])
	south, _ := Decode(longRange, latRange, n[2])
	east, _ := Decode(longRange, latRange, n[3])
	west, _ := Decode(longRange, latRange, n[4])
	decrease := north.Lat.Max < maxLat || south.Lat.Min > minLat || east.Long.Max < maxLon || west.Long.Min > minLon
	if steps > 1 && decrease {
		steps--
		hash, _ = EncodeWGS84(s.Long, s.Lat, steps)
		n = neighbors(hash)
		area, _ = Decode(longRange, latRange, hash)
	}
	if steps >= 2 {
		if area.Lat.Min < minLat {
			n[2], n[8], n[7] = Bits{}, Bits{}, Bits{}
		}
		if area.Lat.Max > maxLat {
			n[1], n[5], n[6] = Bits{}, Bits{}, Bits{}
		}
		if area.Long.Min < minLon {
			n[4], n[8], n[6] = Bits{}, Bits{}, Bits{}
		}
		if area.Long.Max > maxLon {
			n[3], n[7], n[5] = Bits{}, Bits{}, Bits{}
		}
	}
	return n
}

func neighbors(h Bits) [9]Bits {
	return [9]Bits{
		h,
		moved(h, 0, 1),   // north
		moved(h, 0, -1),  // south
		moved(h, 1, 0),   // east
		moved(h, -1, 0),  // west
		moved(h, 1, 1),   // north-east
		moved(h, -1, 1),  // north-west
		moved(h, 1, -1),  // south-east
		moved(h, -1, -1), // south-west
	}
}

// ScoreRange returns the sorted set scores [min, max) of the positions in
// a cell.
func ScoreRange(h Bits) (uint64, uint64) {
	min := Align52(h)
	h.Bits++
	return min, Align52(h)
}

// IsZero reports whether a cell was excluded.
func IsZero(h Bits) bool { return h.isZero() }
