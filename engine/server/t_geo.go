package server

import (
	"fmt"
	"math/big"
	"sort"
	"strconv"

	"github.com/redisctl/redisctl/engine/config"
	"github.com/redisctl/redisctl/engine/geohash"
	"github.com/redisctl/redisctl/engine/keyspace"
	"github.com/redisctl/redisctl/engine/resp"
	"github.com/redisctl/redisctl/engine/types"
)

// Geo commands (Redis's geo.c): positions stored as sorted set scores.

func geoCommands() []*Command {
	return withArgs([]*Command{
		{Name: "geoadd", Arity: -5, Flags: "write denyoom", ACL: "@write @geo @slow",
			Keys: []KeySpec{{Flags: "RW update", Index: 1, KeyStep: 1}}, Handler: geoaddCommand,
			Group: "geo", Since: "3.2.0", Summary: "Add one or more geospatial items in the geospatial index represented using a sorted set", Complexity: "O(log(N)) for each item added, where N is the number of elements in the sorted set."},
		{Name: "geopos", Arity: -2, Flags: "readonly", ACL: "@read @geo @slow",
			Keys: []KeySpec{{Flags: "RO access", Index: 1, KeyStep: 1}}, Handler: geoposCommand,
			Group: "geo", Since: "3.2.0", Summary: "Returns longitude and latitude of members of a geospatial index", Complexity: "O(N) where N is the number of members requested."},
		{Name: "geodist", Arity: -4, Flags: "readonly", ACL: "@read @geo @slow",
			Keys: []KeySpec{{Flags: "RO access", Index: 1, KeyStep: 1}}, Handler: geodistCommand,
			Group: "geo", Since: "3.2.0", Summary: "Returns the distance between two members of a geospatial index", Complexity: "O(log(N))"},
		{Name: "geohash", Arity: -2, Flags: "readonly", ACL: "@read @geo @slow",
			Keys: []KeySpec{{Flags: "RO access", Index: 1, KeyStep: 1}}, Handler: geohashCommand,
			Group: "geo", Since: "3.2.0", Summary: "Returns members of a geospatial index as standard geohash strings", Complexity: "O(log(N)) for each member requested, where N is the number of elements in the sorted set."},
		{Name: "geosearch", Arity: -7, Flags: "readonly", ACL: "@read @geo @slow",
			Keys: []KeySpec{{Flags: "RO access", Index: 1, KeyStep: 1}}, Handler: geosearchCommand,
			Group: "geo", Since: "6.2.0", Summary: "Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle.", Complexity: "O(N+log(M)) where N is the number of elements in the grid-aligned bounding box area around the shape provided as the filter and M is the number of items inside the shape"},
		{Name: "geosearchstore", Arity: -8, Flags: "write denyoom", ACL: "@write @geo @slow",
			Keys: []KeySpec{{Flags: "OW update", Index: 1, KeyStep: 1}, {Flags: "RO access", Index: 2, KeyStep: 1}}, Handler: geosearchstoreCommand,
			Group: "geo", Since: "6.2.0", Summary: "Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle, and store the result in another key.", Complexity: "O(N+log(M)) where N is the number of elements in the grid-aligned bounding box area around the shape provided as the filter and M is the number of items inside the shape"},
		{Name: "georadius", Arity: -6, Flags: "write denyoom movablekeys", ACL: "@write @geo @slow",
			Keys: []KeySpec{{Flags: "RO access", Index: 1, KeyStep: 1}, {Flags: "OW update", Keyword: "STORE", StartFrom: 6, KeyStep: 1}, {Flags: "OW update", Keyword: "STOREDIST", StartFrom: 6, KeyStep: 1}}, Handler: georadiusCommand,
			Group: "geo", Since: "3.2.0", Summary: "Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a point", Complexity: "O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index."},
		{Name: "georadiusbymember", Arity: -5, Flags: "write denyoom movablekeys", ACL: "@write @geo @slow",
			Keys: []KeySpec{{Flags: "RO access", Index: 1, KeyStep: 1}, {Flags: "OW update", Keyword: "STORE", StartFrom: 5, KeyStep: 1}, {Flags: "OW update", Keyword: "STOREDIST", StartFrom: 5, KeyStep: 1}}, Handler: georadiusbymemberCommand,
			Group: "geo", Since: "3.2.0", Summary: "Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a member", Complexity: "O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index."},
		{Name: "georadius_ro", Arity: -6, Flags: "readonly", ACL: "@read @geo @slow",
			Keys: []KeySpec{{Flags: "RO access", Index: 1, KeyStep: 1}}, Handler: georadiusroCommand,
			Group: "geo", Since: "3.2.10", Summary: "A read-only variant for GEORADIUS", Complexity: "O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index."},
		{Name: "georadiusbymember_ro", Arity: -5, Flags: "readonly", ACL: "@read @geo @slow",
			Keys: []KeySpec{{Flags: "RO access", Index: 1, KeyStep: 1}}, Handler: georadiusbymemberroCommand,
			Group: "geo", Since: "3.2.10", Summary: "A read-only variant for GEORADIUSBYMEMBER", Complexity: "O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index."},
	})
}

// extractLongLat parses a longitude and latitude with Redis's errors.
func (c *Client) extractLongLat(i int) (float64, float64, bool) {
	var xy [2]float64
	for k := 0; k < 2; k++ {
		f, ok := parseStrtod(c.argv[i+k])
		if !ok {
			c.addError(errNotFloat)
			return 0, 0, false
		}
		xy[k] = f
	}
	if xy[0] < geohash.LongMin || xy[0] > geohash.LongMax || xy[1] < geohash.LatMin || xy[1] > geohash.LatMax {
		c.addError(fmt.Sprintf("ERR invalid longitude,latitude pair %f,%f", xy[0], xy[1]))
		return 0, 0, false
	}
	return xy[0], xy[1], true
}

// geoaddWords are GEOADD's options, which it passes on to ZADD.
var geoaddWords = []keyword{{"nx", zaddNX}, {"xx", zaddXX}, {"ch", zaddCH}}

func geoaddCommand(c *Client) {
	flags, longIdx := 0, 2
	for ; longIdx < len(c.argv); longIdx++ {
		f := wordFlag(c.argv[longIdx], geoaddWords)
		if f == 0 {
			break
		}
		flags |= f
	}
	if (len(c.argv)-longIdx)%3 != 0 || flags&(zaddNX|zaddXX) == zaddNX|zaddXX {
		c.addError(errSyntax)
		return
	}
	argv := append([][]byte{[]byte("zadd")}, c.argv[1:longIdx]...)
	for i := longIdx; i < len(c.argv); i += 3 {
		long, lat, ok := c.extractLongLat(i)
		if !ok {
			return
		}
		argv = append(argv, strconv.AppendUint(nil, geohash.Score(long, lat), 10), c.argv[i+2])
	}
	c.argv = argv
	c.zaddGeneric(0)
}

// geoPosition returns a member's position.
func geoPosition(z types.ZSet, m []byte) (float64, float64, bool) {
	score, ok := z.Score(m)
	if !ok {
		return 0, 0, false
	}
	return geohash.DecodeScore(score)
}

// addHumanDouble replies a coordinate the way addReplyHumanLongDouble
// does: "%.17Lf" without trailing zeros (a double in RESP3).
func (c *Client) addHumanDouble(f float64) {
	s := formatLongDouble(new(big.Float).SetFloat64(f))
	if c.proto == resp.RESP3 {
		c.addRawStr("," + s + "\r\n")
		return
	}
	c.addBulkStr(s)
}

func geoposCommand(c *Client) {
	c.geoMembersReply(c.addNullArray, func(long, lat float64) {
		c.addArrayLen(2)
		c.addHumanDouble(long)
		c.addHumanDouble(lat)
	})
}

// geoMembersReply replies an array with an element per member argv[2:]:
// null() for a missing member (or key), fn's reply of its position for
// the others (GEOPOS, GEOHASH).
func (c *Client) geoMembersReply(null func(), fn func(long, lat float64)) {
	z, ok := c.zsetForRead(c.argv[1])
	if !ok {
		return
	}
	c.addArrayLen(len(c.argv) - 2)
	for _, m := range c.argv[2:] {
		var long, lat float64
		found := false
		if z != nil {
			long, lat, found = geoPosition(z, m)
		}
		if !found {
			null()
			continue
		}
		fn(long, lat)
	}
}

// geoUnit returns meters per unit, replying an error for unknown units.
func (c *Client) geoUnit(arg []byte) (float64, bool) {
	switch {
	case argIs(arg, "m"):
		return 1, true
	case argIs(arg, "km"):
		return 1000, true
	case argIs(arg, "ft"):
		return 0.3048, true
	case argIs(arg, "mi"):
		return 1609.34, true
	}
	c.addError("ERR unsupported unit provided. please use M, KM, FT, MI")
	return 0, false
}

func (c *Client) addDistance(d float64) { c.addBulkStr(strconv.FormatFloat(d, 'f', 4, 64)) }

func geodistCommand(c *Client) {
	toMeter := 1.0
	if len(c.argv) == 5 {
		var ok bool
		if toMeter, ok = c.geoUnit(c.argv[4]); !ok {
			return
		}
	} else if len(c.argv) > 5 {
		c.addError(errSyntax)
		return
	}
	obj, ok := c.readOrReply(c.argv[1], keyspace.TypeZSet, c.addNull)
	if !ok {
		return
	}
	z := obj.(types.ZSet)
	lon1, lat1, ok1 := geoPosition(z, c.argv[2])
	lon2, lat2, ok2 := geoPosition(z, c.argv[3])
	if !ok1 || !ok2 {
		c.addNull()
		return
	}
	c.addDistance(geohash.Distance(lon1, lat1, lon2, lat2) / toMeter)
}

func geohashCommand(c *Client) {
	c.geoMembersReply(c.addNull, func(long, lat float64) {
		c.addBulkStr(geohash.String(long, lat))
	})
}

// Flags of georadiusGeneric.
const (
	geoCoords = 1 << iota
	geoMember
	geoNoStore
	geoSearch
	geoSearchStore
)

func georadiusCommand(c *Client)           { c.georadiusGeneric(1, geoCoords) }
func georadiusbymemberCommand(c *Client)   { c.georadiusGeneric(1, geoMember) }
func georadiusroCommand(c *Client)         { c.georadiusGeneric(1, geoCoords|geoNoStore) }
func georadiusbymemberroCommand(c *Client) { c.georadiusGeneric(1, geoMember|geoNoStore) }
func geosearchCommand(c *Client)           { c.georadiusGeneric(1, geoSearch) }
func geosearchstoreCommand(c *Client)      { c.georadiusGeneric(2, geoSearch|geoSearchStore) }

// geoDistance parses "<radius> <unit>" (extractDistanceOrReply).
func (c *Client) geoDistance(i int) (radius, conv float64, ok bool) {
	d, ok := parseStrtod(c.argv[i])
	if !ok {
		c.addError("ERR need numeric radius")
		return 0, 0, false
	}
	if d < 0 {
		c.addError("ERR radius cannot be negative")
		return 0, 0, false
	}
	conv, ok = c.geoUnit(c.argv[i+1])
	return d, conv, ok
}

// geoBox parses "<width> <height> <unit>" (extractBoxOrReply).
func (c *Client) geoBox(i int) (w, h, conv float64, ok bool) {
	w, ok = parseStrtod(c.argv[i])
	if !ok {
		c.addError("ERR need numeric width")
		return
	}
	if h, ok = parseStrtod(c.argv[i+1]); !ok {
		c.addError("ERR need numeric height")
		return
	}
	if h < 0 || w < 0 {
		c.addError("ERR height or width cannot be negative")
		return 0, 0, 0, false
	}
	conv, ok = c.geoUnit(c.argv[i+2])
	return
}

type geoPoint struct {
	long, lat, dist, score float64
	member                 []byte
}

func (c *Client) georadiusGeneric(srcIdx int, flags int) {
	z, ok := c.zsetForRead(c.argv[srcIdx])
	if !ok {
		return
	}
	var shape geohash.Shape
	var baseArgs int
	var storeKey []byte
	switch {
	case flags&geoCoords != 0:
		baseArgs = 6
		if shape.Long, shape.Lat, ok = c.extractLongLat(2); !ok {
			return
		}
		if shape.Radius, shape.Conversion, ok = c.geoDistance(baseArgs - 2); !ok {
			return
		}
	case flags&geoMember != 0 && z == nil:
		baseArgs = 5
	case flags&geoMember != 0:
		baseArgs = 5
		if shape.Long, shape.Lat, ok = geoPosition(z, c.argv[2]); !ok {
			c.addError("ERR could not decode requested zset member")
			return
		}
		if shape.Radius, shape.Conversion, ok = c.geoDistance(baseArgs - 2); !ok {
			return
		}
	default:
		baseArgs = 2
		if flags&geoSearchStore != 0 {
			baseArgs = 3
			storeKey = c.argv[1]
		}
	}
	withDist, withHash, withCoords := false, false, false
	fromMember, fromLoc, byRadius, byBox := false, false, false, false
	sortDir, any := 0, false // 0 none, 1 asc, 2 desc
	storeDist := false
	var count int64
	remaining := len(c.argv) - baseArgs
	for i := 0; i < remaining; i++ {
		arg := c.argv[baseArgs+i]
		search := flags&geoSearch != 0
		canStore := flags&geoNoStore == 0 && !search
		switch {
		case argIs(arg, "withdist"):
			withDist = true
		case argIs(arg, "withhash"):
			withHash = true
		case argIs(arg, "withcoord"):
			withCoords = true
		case argIs(arg, "any"):
			any = true
		case argIs(arg, "asc"):
			sortDir = 1
		case argIs(arg, "desc"):
			sortDir = 2
		case argIs(arg, "count") && i+1 < remaining:
			if count, ok = c.argInt(baseArgs + i + 1); !ok {
				return
			}
			if count <= 0 {
				c.addError("ERR COUNT must be > 0")
				return
			}
			i++
		case argIs(arg, "store") && i+1 < remaining && canStore:
			storeKey, storeDist = c.argv[baseArgs+i+1], false
			i++
		case argIs(arg, "storedist") && i+1 < remaining && canStore:
			storeKey, storeDist = c.argv[baseArgs+i+1], true
			i++
		case argIs(arg, "storedist") && search && flags&geoSearchStore != 0:
			storeDist = true
		case argIs(arg, "frommember") && i+1 < remaining && search && !fromLoc:
			if z != nil {
				if shape.Long, shape.Lat, ok = geoPosition(z, c.argv[baseArgs+i+1]); !ok {
					c.addError("ERR could not decode requested zset member")
					return
				}
			}
			fromMember = true
			i++
		case argIs(arg, "fromlonlat") && i+2 < remaining && search && !fromMember:
			if shape.Long, shape.Lat, ok = c.extractLongLat(baseArgs + i + 1); !ok {
				return
			}
			fromLoc = true
			i += 2
		case argIs(arg, "byradius") && i+2 < remaining && search && !byBox:
			if shape.Radius, shape.Conversion, ok = c.geoDistance(baseArgs + i + 1); !ok {
				return
			}
			shape.Box = false
			byRadius = true
			i += 2
		case argIs(arg, "bybox") && i+3 < remaining && search && !byRadius:
			if shape.Width, shape.Height, shape.Conversion, ok = c.geoBox(baseArgs + i + 1); !ok {
				return
			}
			shape.Box = true
			byBox = true
			i += 3
		default:
			c.addError(errSyntax)
			return
		}
	}
	if storeKey != nil && (withDist || withHash || withCoords) {
		what := "STORE option in GEORADIUS"
		if flags&geoSearchStore != 0 {
			what = "GEOSEARCHSTORE"
		}
		c.addError("ERR " + what + " is not compatible with WITHDIST, WITHHASH and WITHCOORD options")
		return
	}
	if flags&geoSearch != 0 && !fromMember && !fromLoc {
		c.addError("ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for " + string(c.argv[0]))
		return
	}
	if flags&geoSearch != 0 && !byRadius && !byBox {
		c.addError("ERR exactly one of BYRADIUS and BYBOX can be specified for " + string(c.argv[0]))
		return
	}
	if any && count == 0 {
		c.addError("ERR the ANY argument requires COUNT argument")
		return
	}
	if z == nil {
		if storeKey != nil {
			c.clearDestination(storeKey)
			c.addInt(0)
		} else {
			c.addArrayLen(0)
		}
		return
	}
	if count != 0 && sortDir == 0 && !any {
		sortDir = 1
	}
	limit := int64(0)
	if any {
		limit = count
	}
	points := geoMembersOfAllNeighbors(z, &shape, limit)
	if len(points) == 0 && storeKey == nil {
		c.addArrayLen(0)
		return
	}
	returned := len(points)
	if count != 0 && int64(returned) > count {
		returned = int(count)
	}
	switch sortDir {
	case 1:
		sort.SliceStable(points, func(a, b int) bool { return points[a].dist < points[b].dist })
	case 2:
		sort.SliceStable(points, func(a, b int) bool { return points[a].dist > points[b].dist })
	}
	points = points[:returned]
	if storeKey == nil {
		opts := 0
		for _, f := range []bool{withDist, withCoords, withHash} {
			if f {
				opts++
			}
		}
		c.addArrayLen(len(points))
		for _, p := range points {
			if opts > 0 {
				c.addArrayLen(opts + 1)
			}
			c.addBulk(p.member)
			if withDist {
				c.addDistance(p.dist / shape.Conversion)
			}
			if withHash {
				c.addInt(int64(p.score))
			}
			if withCoords {
				c.addArrayLen(2)
				c.addHumanDouble(p.long)
				c.addHumanDouble(p.lat)
			}
		}
		return
	}
	if len(points) == 0 {
		c.clearDestination(storeKey)
		c.addInt(0)
		return
	}
	res := make([]zresult, len(points))
	for i, p := range points {
		s := p.score
		if storeDist {
			s = p.dist / shape.Conversion
		}
		res[i] = zresult{p.member, s}
	}
	sortZResults(res)
	c.replaceValue(storeKey, c.newZSetOf(res))
	c.modified(storeKey)
	event := "georadiusstore"
	if flags&geoSearch != 0 {
		event = "geosearchstore"
	}
	c.notify(config.NotifyZSet, event, storeKey)
	c.keyReady(storeKey)
	c.addInt(int64(len(points)))
}

// geoMembersOfAllNeighbors collects the members inside the shape from the
// nine cells around its centre, in Redis's order; limit > 0 (ANY) stops
// after that many.
func geoMembersOfAllNeighbors(z types.ZSet, shape *geohash.Shape, limit int64) []geoPoint {
	cells := shape.Cells()
	var out []geoPoint
	last := -1
	for i, cell := range cells {
		if geohash.IsZero(cell) {
			continue
		}
		// As in Redis, a cell equal to the one processed before is skipped,
		// unless that one is the centre (index 0).
		if last > 0 && cell == cells[last] {
			continue
		}
		if len(out) > 0 && limit > 0 && int64(len(out)) >= limit {
			break
		}
		min, max := geohash.ScoreRange(cell)
		r := scoreRange{min: float64(min), max: float64(max), maxex: true}
		it, _, found := zFirstInRange(z, &r)
		for ; found && it.Valid(); it.Next() {
			s := it.Score()
			if !r.lteMax(s) {
				break
			}
			long, lat, ok := geohash.DecodeScore(s)
			if ok {
				if d, in := shape.Within(long, lat); in {
					out = append(out, geoPoint{long: long, lat: lat, dist: d, score: s, member: append([]byte(nil), it.Member(nil)...)})
				}
			}
			if len(out) > 0 && limit > 0 && int64(len(out)) >= limit {
				break
			}
		}
		last = i
	}
	return out
}
