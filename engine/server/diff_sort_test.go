package server

import (
	"bufio"
	"bytes"
	"io"
	"sort"

	"github.com/redisctl/redisctl/engine/resp"
)

// sortedReply returns a RESP reply with the elements of every aggregate
// sorted (a map's pairs kept together), for comparing replies whose order
// Redis leaves to its hash function (SMEMBERS, HGETALL of a hashtable...).
func sortedReply(raw []byte) []byte {
	r := bufio.NewReader(bytes.NewReader(raw))
	out, err := sortOne(r)
	if err != nil {
		return raw
	}
	return out
}

func sortOne(r *bufio.Reader) ([]byte, error) {
	line, err := r.ReadBytes('\n')
	if err != nil {
		return nil, err
	}
	switch line[0] {
	case '*', '%', '~', '>':
	default:
		// Scalars: read the rest of a bulk-like reply.
		if line[0] == '$' || line[0] == '=' || line[0] == '!' {
			n, _ := resp.ParseInt(line[1 : len(line)-2])
			if n >= 0 {
				body := make([]byte, n+2)
				if _, err := io.ReadFull(r, body); err != nil {
					return nil, err
				}
				line = append(line, body...)
			}
		}
		return line, nil
	}
	n, _ := resp.ParseInt(line[1 : len(line)-2])
	per := 1
	if line[0] == '%' {
		per = 2
	}
	var elems [][]byte
	for i := int64(0); i < n; i++ {
		var el []byte
		for k := 0; k < per; k++ {
			b, err := sortOne(r)
			if err != nil {
				return nil, err
			}
			el = append(el, b...)
		}
		elems = append(elems, el)
	}
	sort.Slice(elems, func(i, j int) bool { return bytes.Compare(elems[i], elems[j]) < 0 })
	return append(line, bytes.Join(elems, nil)...), nil
}
