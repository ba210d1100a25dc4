package topology

import (
	"fmt"
	"strconv"
	"strings"
)

// Quantity is an amount of memory written the Kubernetes way: 512Mi, 4Gi,
// 1G (decimal) or plain bytes. It keeps the text the user wrote for display.
type Quantity struct {
	Bytes int64
	text  string
}

var quantitySuffixes = []struct {
	suffix string
	mult   int64
}{
	{"Ki", 1 << 10}, {"Mi", 1 << 20}, {"Gi", 1 << 30}, {"Ti", 1 << 40},
	{"K", 1e3}, {"M", 1e6}, {"G", 1e9}, {"T", 1e12},
}

// ParseQuantity reads a memory amount such as "512Mi", "4Gi", "1G" or "1048576".
func ParseQuantity(s string) (Quantity, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return Quantity{}, fmt.Errorf("empty memory amount; write e.g. 512Mi or 4Gi")
	}
	mult := int64(1)
	num := t
	for _, q := range quantitySuffixes {
		if strings.HasSuffix(t, q.suffix) {
			mult, num = q.mult, strings.TrimSuffix(t, q.suffix)
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 0 {
		return Quantity{}, fmt.Errorf("%q is not a memory amount; write a whole number with an optional unit Ki, Mi, Gi, Ti (or K, M, G, T), e.g. 512Mi", s)
	}
	if n > (1<<62)/mult {
		return Quantity{}, fmt.Errorf("%q is too large", s)
	}
	return Quantity{Bytes: n * mult, text: t}, nil
}

// MustParseQuantity is ParseQuantity for constants in code and tests.
func MustParseQuantity(s string) Quantity {
	q, err := ParseQuantity(s)
	if err != nil {
		panic(err)
	}
	return q
}

// IsZero reports whether no amount was given.
func (q Quantity) IsZero() bool { return q.Bytes == 0 && q.text == "" }

// String returns the amount as the user wrote it, or in the largest binary
// unit that divides it exactly.
func (q Quantity) String() string {
	if q.text != "" {
		return q.text
	}
	for i := 3; i >= 0; i-- {
		m := quantitySuffixes[i]
		if q.Bytes != 0 && q.Bytes%m.mult == 0 {
			return strconv.FormatInt(q.Bytes/m.mult, 10) + m.suffix
		}
	}
	return strconv.FormatInt(q.Bytes, 10)
}

// MarshalText writes the amount as text (JSON, YAML).
func (q Quantity) MarshalText() ([]byte, error) { return []byte(q.String()), nil }

// UnmarshalText reads an amount written as text.
func (q *Quantity) UnmarshalText(b []byte) error {
	v, err := ParseQuantity(string(b))
	if err != nil {
		return err
	}
	*q = v
	return nil
}
