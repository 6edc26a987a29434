package session

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"sort"
	"time"
)

// Codec encodes session data in a compact, deterministic binary form.
//
// scs's default gob codec re-sends type descriptions with every value and
// dominated the CPU of a signed-in request; ours writes each value with a
// one-byte tag. Keys are sorted so equal data gives equal bytes, which lets
// the store skip writes when nothing changed.
type Codec struct{}

const codecVersion = 1

const (
	tagString byte = iota + 1
	tagBool
	tagInt
	tagInt64
	tagTime
	tagBytes
	tagStrings
	tagFloat
)

// Encode implements scs.Codec.
func (Codec) Encode(deadline time.Time, values map[string]any) ([]byte, error) {
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	b := make([]byte, 0, 64+len(values)*24)
	b = append(b, codecVersion)
	b = binary.AppendVarint(b, deadline.Unix())
	b = binary.AppendUvarint(b, uint64(deadline.Nanosecond()))
	b = binary.AppendUvarint(b, uint64(len(keys)))
	for _, k := range keys {
		b = appendString(b, k)
		switch v := values[k].(type) {
		case string:
			b = append(b, tagString)
			b = appendString(b, v)
		case bool:
			b = append(b, tagBool)
			if v {
				b = append(b, 1)
			} else {
				b = append(b, 0)
			}
		case int:
			b = append(b, tagInt)
			b = binary.AppendVarint(b, int64(v))
		case int64:
			b = append(b, tagInt64)
			b = binary.AppendVarint(b, v)
		case time.Time:
			// Seconds and nanoseconds apart: UnixNano overflows outside
			// 1678-2262, which includes the zero time.
			b = append(b, tagTime)
			b = binary.AppendVarint(b, v.Unix())
			b = binary.AppendUvarint(b, uint64(v.Nanosecond()))
		case []byte:
			b = append(b, tagBytes)
			b = appendString(b, string(v))
		case []string:
			b = append(b, tagStrings)
			b = binary.AppendUvarint(b, uint64(len(v)))
			for _, s := range v {
				b = appendString(b, s)
			}
		case float64:
			b = append(b, tagFloat)
			b = binary.BigEndian.AppendUint64(b, math.Float64bits(v))
		default:
			return nil, fmt.Errorf("session: key %q holds %T, which the codec does not store", k, v)
		}
	}
	return b, nil
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

var errCorrupt = errors.New("session: corrupt data")

type reader struct {
	b   []byte
	err error
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errCorrupt
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) varint() int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.err = errCorrupt
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) bytes(n int) []byte {
	if r.err != nil || n < 0 || n > len(r.b) {
		r.err = errCorrupt
		return nil
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}

func (r *reader) time() time.Time {
	sec := r.varint()
	nsec := r.uvarint()
	if nsec >= 1e9 {
		r.err = errCorrupt
		return time.Time{}
	}
	return time.Unix(sec, int64(nsec)).UTC()
}

func (r *reader) str() string {
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		r.err = errCorrupt
		return ""
	}
	return string(r.bytes(int(n)))
}

// Decode implements scs.Codec.
func (Codec) Decode(data []byte) (time.Time, map[string]any, error) {
	if len(data) == 0 || data[0] != codecVersion {
		return time.Time{}, nil, errCorrupt
	}
	r := &reader{b: data[1:]}
	deadline := r.time()
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		return time.Time{}, nil, errCorrupt
	}
	values := make(map[string]any, n)
	for i := uint64(0); i < n && r.err == nil; i++ {
		k := r.str()
		tag := r.bytes(1)
		if r.err != nil {
			break
		}
		switch tag[0] {
		case tagString:
			values[k] = r.str()
		case tagBool:
			if p := r.bytes(1); p != nil {
				values[k] = p[0] == 1
			}
		case tagInt:
			values[k] = int(r.varint())
		case tagInt64:
			values[k] = r.varint()
		case tagTime:
			values[k] = r.time()
		case tagBytes:
			values[k] = []byte(r.str())
		case tagStrings:
			m := r.uvarint()
			if m > uint64(len(r.b)) {
				r.err = errCorrupt
				break
			}
			ss := make([]string, 0, m)
			for j := uint64(0); j < m; j++ {
				ss = append(ss, r.str())
			}
			values[k] = ss
		case tagFloat:
			if p := r.bytes(8); p != nil {
				values[k] = math.Float64frombits(binary.BigEndian.Uint64(p))
			}
		default:
			r.err = errCorrupt
		}
	}
	if r.err == nil && len(r.b) != 0 {
		r.err = errCorrupt
	}
	if r.err != nil {
		return time.Time{}, nil, r.err
	}
	return deadline, values, nil
}
