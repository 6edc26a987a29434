// Package password hashes GCKey passwords with argon2id and applies the
// username and password policy of DOMAIN.md ("GCKey two-factor
// authentication"). Hashes are stored in the PHC string format so the cost
// travels with each hash: raising the cost later needs no migration, because
// Verify reads the old cost from the row and tells the caller to re-hash.
package password

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"

	"golang.org/x/crypto/argon2"
	"golang.org/x/text/unicode/norm"
)

// Lengths used when Params leaves KeyLen or SaltLen at zero, so that main can
// wire only the three cost fields from the configuration.
const (
	DefaultKeyLen  = 32
	DefaultSaltLen = 16
)

// Bounds on what a stored hash may ask for. A row in the database is data,
// not code: a tampered or corrupted row must not make one sign-in allocate
// gigabytes or spin for minutes, so anything beyond these is refused before
// argon2 runs.
const (
	maxMemoryKiB = 1 << 20 // 1 GiB
	maxTime      = 100
	minSaltLen   = 8
	maxSaltLen   = 64
	minKeyLen    = 16
	maxKeyLen    = 64
	// A PHC string within the bounds above is well under this; checking the
	// length first keeps a huge value from being split and decoded at all.
	maxEncodedLen = 512
)

// ErrMalformed is returned (wrapped) by Verify when the stored string is not
// an argon2id PHC string within the accepted bounds.
var ErrMalformed = errors.New("password: malformed hash")

// Params is the argon2id cost and output shape. It mirrors the
// configuration's Argon2 type without importing package app, so this package
// stays a leaf that app can import.
type Params struct {
	MemoryKiB uint32
	Time      uint32
	Threads   uint8
	KeyLen    uint32 // bytes of derived key; 0 means DefaultKeyLen
	SaltLen   uint32 // bytes of random salt; 0 means DefaultSaltLen
}

// withDefaults fills the lengths main does not set.
func (p Params) withDefaults() Params {
	if p.KeyLen == 0 {
		p.KeyLen = DefaultKeyLen
	}
	if p.SaltLen == 0 {
		p.SaltLen = DefaultSaltLen
	}
	return p
}

// Validate reports whether p (after defaults) is within the bounds Verify
// accepts, so that main can refuse a configuration with a clear message
// instead of NewHasher panicking, and so every hash this package writes can
// be read back.
func (p Params) Validate() error {
	p = p.withDefaults()
	switch {
	case p.Time < 1 || p.Time > maxTime:
		return fmt.Errorf("argon2 time %d is outside 1 to %d", p.Time, maxTime)
	case p.Threads < 1:
		return errors.New("argon2 threads must be at least 1")
	case p.MemoryKiB < 8*uint32(p.Threads) || p.MemoryKiB > maxMemoryKiB:
		// RFC 9106 requires at least 8 KiB per lane; x/crypto would silently
		// raise it, which would make the stored m= lie about the real cost.
		return fmt.Errorf("argon2 memory %d KiB is outside %d to %d KiB", p.MemoryKiB, 8*uint32(p.Threads), maxMemoryKiB)
	case p.KeyLen < minKeyLen || p.KeyLen > maxKeyLen:
		return fmt.Errorf("argon2 key length %d is outside %d to %d bytes", p.KeyLen, minKeyLen, maxKeyLen)
	case p.SaltLen < minSaltLen || p.SaltLen > maxSaltLen:
		return fmt.Errorf("argon2 salt length %d is outside %d to %d bytes", p.SaltLen, minSaltLen, maxSaltLen)
	}
	return nil
}

// Hasher hashes and verifies passwords, never running more argon2id
// computations at once than its limit. Each computation holds MemoryKiB of
// RAM, so a burst of 64 sign-ins must queue rather than allocate 64 times
// 19 MiB; the queue also keeps CPU for the rest of the server.
type Hasher struct {
	params Params
	sem    chan struct{}
	// dummy is a well-formed hash with the current params that no password
	// matches, for VerifyDummy.
	dummy string
	// onCompute, when set (by tests only), is called inside the semaphore just
	// before each argon2id computation, so tests can observe concurrency and
	// that a computation happened without timing anything.
	onCompute func()
}

// NewHasher returns a Hasher with params p allowing limit computations at
// once; limit <= 0 means one per CPU. It panics when p.Validate fails: main
// is expected to have validated the configuration already.
func NewHasher(p Params, limit int) *Hasher {
	p = p.withDefaults()
	if err := p.Validate(); err != nil {
		panic("password.NewHasher: " + err.Error())
	}
	if limit <= 0 {
		limit = runtime.NumCPU()
	}
	h := &Hasher{params: p, sem: make(chan struct{}, limit)}
	// The dummy needs no argon2 run: Verify recomputes from the password and
	// compares with a random key, which costs exactly what a wrong password
	// costs. Being free, it is made here once rather than on first use.
	h.dummy = encode(p, randomBytes(p.SaltLen), randomBytes(p.KeyLen))
	return h
}

// Params returns the hasher's current parameters, defaults filled in.
func (h *Hasher) Params() Params { return h.params }

// Hash returns the PHC string for password under a fresh random salt.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	salt := randomBytes(h.params.SaltLen)
	key, err := h.compute(ctx, h.params, password, salt)
	if err != nil {
		return "", err
	}
	return encode(h.params, salt, key), nil
}

// Verify reports whether password matches encoded, recomputing with the
// parameters stored in encoded. rehash is true when the password matched and
// the stored parameters differ from the hasher's, so the caller should store
// a fresh Hash now that it holds the plain password. A malformed or
// out-of-bounds encoding returns an error wrapping ErrMalformed.
func (h *Hasher) Verify(ctx context.Context, encoded, password string) (ok, rehash bool, err error) {
	p, salt, want, err := decode(encoded)
	if err != nil {
		return false, false, err
	}
	got, err := h.compute(ctx, p, password, salt)
	if err != nil {
		return false, false, err
	}
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return false, false, nil
	}
	return true, p != h.params, nil
}

// VerifyDummy spends the same work as verifying a wrong password, so that a
// sign-in with an unknown username takes as long as one with a known username
// and a wrong password, and timing does not reveal which accounts exist.
func (h *Hasher) VerifyDummy(ctx context.Context, password string) {
	_, _, _ = h.Verify(ctx, h.dummy, password)
}

// compute runs argon2id inside the semaphore.
func (h *Hasher) compute(ctx context.Context, p Params, password string, salt []byte) ([]byte, error) {
	// Checked first so an already-cancelled request never computes: select
	// picks at random when both cases are ready.
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	select {
	case h.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-h.sem }()
	if h.onCompute != nil {
		h.onCompute()
	}
	// The same accented passphrase typed on two keyboards may arrive
	// precomposed or decomposed; hashing the NFC form makes both the same.
	return argon2.IDKey([]byte(norm.NFC.String(password)), salt, p.Time, p.MemoryKiB, p.Threads, p.KeyLen), nil
}

// randomBytes returns n bytes from crypto/rand, which since Go 1.24 never
// returns an error (it crashes the program instead), so there is none to
// handle.
func randomBytes(n uint32) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

var b64 = base64.RawStdEncoding.Strict()

func encode(p Params, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.MemoryKiB, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// decode parses exactly the form encode writes: argon2id, version 19,
// parameters m, t, p in that order as canonical decimals, unpadded standard
// base64 salt and key. Anything else is refused rather than guessed at.
func decode(s string) (p Params, salt, key []byte, err error) {
	bad := func(why string) (Params, []byte, []byte, error) {
		return Params{}, nil, nil, fmt.Errorf("%w: %s", ErrMalformed, why)
	}
	if len(s) > maxEncodedLen {
		return bad("too long")
	}
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" {
		return bad("want $argon2id$v=19$m=…,t=…,p=…$salt$hash")
	}
	if parts[1] != "argon2id" {
		return bad("algorithm is not argon2id")
	}
	if parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return bad("unsupported version")
	}
	kv := strings.Split(parts[3], ",")
	if len(kv) != 3 {
		return bad("want m, t and p")
	}
	m, okM := field(kv[0], "m=", maxMemoryKiB)
	t, okT := field(kv[1], "t=", maxTime)
	th, okP := field(kv[2], "p=", 255)
	if !okM || !okT || !okP || t < 1 || th < 1 || m < 8*th {
		return bad("parameters out of bounds")
	}
	if salt, err = b64.DecodeString(parts[4]); err != nil || len(salt) < minSaltLen || len(salt) > maxSaltLen {
		return bad("bad salt")
	}
	if key, err = b64.DecodeString(parts[5]); err != nil || len(key) < minKeyLen || len(key) > maxKeyLen {
		return bad("bad hash")
	}
	p = Params{
		MemoryKiB: uint32(m), Time: uint32(t), Threads: uint8(th),
		KeyLen: uint32(len(key)), SaltLen: uint32(len(salt)),
	}
	return p, salt, key, nil
}

// field parses name followed by a canonical decimal (no sign, no leading
// zero) not above limit.
func field(s, name string, limit uint64) (uint64, bool) {
	digits, ok := strings.CutPrefix(s, name)
	if !ok || digits == "" || len(digits) > 10 || (len(digits) > 1 && digits[0] == '0') {
		return 0, false
	}
	var n uint64
	for i := 0; i < len(digits); i++ {
		c := digits[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	return n, n <= limit
}
