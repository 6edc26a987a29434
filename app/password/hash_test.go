package password

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// cheap keeps the tests fast; production cost is only used where noted.
var cheap = Params{MemoryKiB: 64, Time: 1, Threads: 1}

var production = Params{MemoryKiB: 19456, Time: 2, Threads: 1}

func TestHashFormat(t *testing.T) {
	h := NewHasher(production, 0)
	enc, err := h.Hash(context.Background(), "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	// 16-byte salt and 32-byte key are 22 and 43 unpadded base64 characters.
	parts := strings.Split(enc, "$")
	if len(parts) != 6 || parts[1] != "argon2id" || parts[2] != "v=19" || parts[3] != "m=19456,t=2,p=1" ||
		len(parts[4]) != 22 || len(parts[5]) != 43 {
		t.Fatalf("encoding %q", enc)
	}
	ok, rehash, err := h.Verify(context.Background(), enc, "correct horse battery staple")
	if err != nil || !ok || rehash {
		t.Fatalf("Verify = %v, %v, %v", ok, rehash, err)
	}
}

func TestRoundTrip(t *testing.T) {
	ctx := context.Background()
	h := NewHasher(cheap, 2)
	enc, err := h.Hash(ctx, "Mon chien s'appelle Biscuit")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		pw string
		ok bool
	}{
		{"Mon chien s'appelle Biscuit", true},
		{"mon chien s'appelle biscuit", false},
		{"Mon chien s'appelle Biscuit ", false},
		{"", false},
	} {
		ok, rehash, err := h.Verify(ctx, enc, tc.pw)
		if err != nil || ok != tc.ok || rehash {
			t.Errorf("Verify(%q) = %v, %v, %v; want %v, false, nil", tc.pw, ok, rehash, err, tc.ok)
		}
	}
	if got := h.Params(); got != (Params{MemoryKiB: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}) {
		t.Errorf("Params() = %+v", got)
	}
}

func TestSaltsDiffer(t *testing.T) {
	h := NewHasher(cheap, 0)
	a, _ := h.Hash(context.Background(), "same password here")
	b, _ := h.Hash(context.Background(), "same password here")
	if a == b || strings.Split(a, "$")[4] == strings.Split(b, "$")[4] {
		t.Fatalf("two hashes share a salt: %q %q", a, b)
	}
}

func TestRehashWhenParamsChange(t *testing.T) {
	ctx := context.Background()
	old := NewHasher(Params{MemoryKiB: 32, Time: 1, Threads: 1}, 0)
	enc, err := old.Hash(ctx, "an older passphrase")
	if err != nil {
		t.Fatal(err)
	}
	for name, p := range map[string]Params{
		"memory":  {MemoryKiB: 64, Time: 1, Threads: 1},
		"time":    {MemoryKiB: 32, Time: 2, Threads: 1},
		"threads": {MemoryKiB: 32, Time: 1, Threads: 2},
		"key":     {MemoryKiB: 32, Time: 1, Threads: 1, KeyLen: 64},
		"salt":    {MemoryKiB: 32, Time: 1, Threads: 1, SaltLen: 32},
	} {
		cur := NewHasher(p, 0)
		ok, rehash, err := cur.Verify(ctx, enc, "an older passphrase")
		if err != nil || !ok || !rehash {
			t.Errorf("%s: Verify = %v, %v, %v; want true, true, nil", name, ok, rehash, err)
		}
		// A wrong password never asks for a rehash: there is nothing to
		// re-hash it from.
		if ok, rehash, err := cur.Verify(ctx, enc, "wrong"); ok || rehash || err != nil {
			t.Errorf("%s: wrong password: Verify = %v, %v, %v", name, ok, rehash, err)
		}
	}
}

func TestMalformed(t *testing.T) {
	salt := b64.EncodeToString([]byte("saltsaltsaltsalt"))                // 16 bytes
	key := b64.EncodeToString([]byte("keykeykeykeykeykeykeykeykeykeyke")) // 32 bytes
	good := "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + key
	h := NewHasher(cheap, 0)
	var computed atomic.Int32
	h.onCompute = func() { computed.Add(1) }
	// The well-formed control parses (and simply does not match).
	if ok, _, err := h.Verify(context.Background(), good, "x"); ok || err != nil {
		t.Fatalf("control: %v %v", ok, err)
	}
	computed.Store(0)
	for name, enc := range map[string]string{
		"empty":             "",
		"garbage":           "not a hash",
		"bcrypt":            "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
		"argon2i":           "$argon2i$v=19$m=64,t=1,p=1$" + salt + "$" + key,
		"argon2d":           "$argon2d$v=19$m=64,t=1,p=1$" + salt + "$" + key,
		"no leading $":      "argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + key,
		"version 16":        "$argon2id$v=16$m=64,t=1,p=1$" + salt + "$" + key,
		"no version":        "$argon2id$m=64,t=1,p=1$" + salt + "$" + key,
		"missing hash":      "$argon2id$v=19$m=64,t=1,p=1$" + salt,
		"missing salt":      "$argon2id$v=19$m=64,t=1,p=1$$" + key,
		"extra part":        good + "$x",
		"trailing $":        good + "$",
		"missing p":         "$argon2id$v=19$m=64,t=1$" + salt + "$" + key,
		"extra param":       "$argon2id$v=19$m=64,t=1,p=1,keyid=x$" + salt + "$" + key,
		"order":             "$argon2id$v=19$t=1,m=64,p=1$" + salt + "$" + key,
		"m zero":            "$argon2id$v=19$m=0,t=1,p=1$" + salt + "$" + key,
		"m over 1 GiB":      "$argon2id$v=19$m=1048577,t=1,p=1$" + salt + "$" + key,
		"m overflow":        "$argon2id$v=19$m=99999999999999999999,t=1,p=1$" + salt + "$" + key,
		"m below 8p":        "$argon2id$v=19$m=15,t=1,p=2$" + salt + "$" + key,
		"t zero":            "$argon2id$v=19$m=64,t=0,p=1$" + salt + "$" + key,
		"t 101":             "$argon2id$v=19$m=64,t=101,p=1$" + salt + "$" + key,
		"p zero":            "$argon2id$v=19$m=64,t=1,p=0$" + salt + "$" + key,
		"p 256":             "$argon2id$v=19$m=4096,t=1,p=256$" + salt + "$" + key,
		"negative":          "$argon2id$v=19$m=-64,t=1,p=1$" + salt + "$" + key,
		"plus sign":         "$argon2id$v=19$m=+64,t=1,p=1$" + salt + "$" + key,
		"leading zero":      "$argon2id$v=19$m=064,t=1,p=1$" + salt + "$" + key,
		"hex":               "$argon2id$v=19$m=0x40,t=1,p=1$" + salt + "$" + key,
		"empty number":      "$argon2id$v=19$m=,t=1,p=1$" + salt + "$" + key,
		"bad base64 salt":   "$argon2id$v=19$m=64,t=1,p=1$" + "!!!!" + salt + "$" + key,
		"padded salt":       "$argon2id$v=19$m=64,t=1,p=1$" + salt + "==$" + key,
		"url base64 key":    "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + strings.Repeat("_-", 21) + "A",
		"short salt":        "$argon2id$v=19$m=64,t=1,p=1$c2FsdA$" + key,
		"short key":         "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$a2V5",
		"huge key":          "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + strings.Repeat("A", 400),
		"huge string":       good + strings.Repeat("A", 1<<20),
		"non-canonical b64": "$argon2id$v=19$m=64,t=1,p=1$" + salt[:len(salt)-1] + "B$" + key,
	} {
		ok, rehash, err := h.Verify(context.Background(), enc, "x")
		if !errors.Is(err, ErrMalformed) || ok || rehash {
			t.Errorf("%s: Verify = %v, %v, %v; want ErrMalformed", name, ok, rehash, err)
		}
	}
	if n := computed.Load(); n != 0 {
		t.Errorf("argon2 ran %d times on malformed input", n)
	}
}

func TestValidate(t *testing.T) {
	for _, p := range []Params{
		{MemoryKiB: 64, Time: 0, Threads: 1},
		{MemoryKiB: 64, Time: 101, Threads: 1},
		{MemoryKiB: 64, Time: 1, Threads: 0},
		{MemoryKiB: 7, Time: 1, Threads: 1},
		{MemoryKiB: 2 << 20, Time: 1, Threads: 1},
		{MemoryKiB: 64, Time: 1, Threads: 1, KeyLen: 8},
		{MemoryKiB: 64, Time: 1, Threads: 1, SaltLen: 65},
	} {
		if p.Validate() == nil {
			t.Errorf("Validate(%+v) = nil", p)
		}
	}
	if err := production.Validate(); err != nil {
		t.Errorf("production: %v", err)
	}
	defer func() {
		if recover() == nil {
			t.Error("NewHasher with time 0 did not panic")
		}
	}()
	NewHasher(Params{MemoryKiB: 64, Threads: 1}, 0)
}

// TestSemaphore holds the first computations inside the semaphore until two
// are in, then checks that no third got in meanwhile.
func TestSemaphore(t *testing.T) {
	h := NewHasher(cheap, 2)
	var inside, most atomic.Int32
	release := make(chan struct{})
	h.onCompute = func() {
		n := inside.Add(1)
		for {
			m := most.Load()
			if n <= m || most.CompareAndSwap(m, n) {
				break
			}
		}
		<-release
		inside.Add(-1)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if _, err := h.Hash(context.Background(), "concurrent sign-in"); err != nil {
				t.Error(err)
			}
		})
	}
	deadline := time.Now().Add(5 * time.Second)
	for inside.Load() < 2 {
		if time.Now().After(deadline) {
			t.Fatal("two hashes never ran at once")
		}
		time.Sleep(time.Millisecond)
	}
	// Give a broken semaphore the chance to let more in.
	time.Sleep(20 * time.Millisecond)
	close(release)
	wg.Wait()
	if got := most.Load(); got != 2 {
		t.Fatalf("at most %d hashes ran at once; want 2", got)
	}
}

func TestDefaultLimitIsNumCPU(t *testing.T) {
	if h := NewHasher(cheap, 0); cap(h.sem) < 1 {
		t.Fatalf("limit %d", cap(h.sem))
	}
	if h := NewHasher(cheap, -3); cap(h.sem) < 1 {
		t.Fatalf("limit %d", cap(h.sem))
	}
}

func TestCancelWhileWaiting(t *testing.T) {
	h := NewHasher(cheap, 1)
	entered := make(chan struct{})
	release := make(chan struct{})
	var computed atomic.Int32
	h.onCompute = func() {
		if computed.Add(1) == 1 {
			close(entered)
			<-release
		}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if _, err := h.Hash(context.Background(), "holds the only slot"); err != nil {
			t.Error(err)
		}
	}()
	<-entered

	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := h.Hash(ctx, "waits for the slot")
		errc <- err
	}()
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Errorf("Hash while waiting, cancelled: %v", err)
	}

	dctx, dcancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer dcancel()
	if _, _, err := h.Verify(dctx, h.dummy, "waits for the slot"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Verify while waiting, deadline: %v", err)
	}

	close(release)
	<-done
	if n := computed.Load(); n != 1 {
		t.Errorf("%d computations; the cancelled calls must not compute", n)
	}
	// An already-cancelled context never computes, even with a free slot.
	if _, err := h.Hash(ctx, "x"); !errors.Is(err, context.Canceled) {
		t.Errorf("Hash with cancelled ctx: %v", err)
	}
	if n := computed.Load(); n != 1 {
		t.Errorf("%d computations after a cancelled call", n)
	}
}

func TestVerifyDummyComputes(t *testing.T) {
	h := NewHasher(cheap, 0)
	var computed atomic.Int32
	h.onCompute = func() { computed.Add(1) }
	for i := int32(1); i <= 3; i++ {
		h.VerifyDummy(context.Background(), "anything at all")
		if n := computed.Load(); n != i {
			t.Fatalf("after %d VerifyDummy calls, %d computations", i, n)
		}
	}
	// The dummy carries the current parameters, so it costs what a real
	// hash costs.
	p, _, _, err := decode(h.dummy)
	if err != nil || p != h.Params() {
		t.Fatalf("dummy %q: %+v, %v", h.dummy, p, err)
	}
}

// BenchmarkHashDefault measures one argon2id hash at the production default
// (m=19456, t=2, p=1): the unit of the sign-in load benchmark.
func BenchmarkHashDefault(b *testing.B) {
	h := NewHasher(production, 0)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h.Hash(ctx, "correct horse battery staple"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyDefaultParallel is sign-in throughput with the default
// limit of one computation per CPU.
func BenchmarkVerifyDefaultParallel(b *testing.B) {
	h := NewHasher(production, 0)
	ctx := context.Background()
	enc, err := h.Hash(ctx, "correct horse battery staple")
	if err != nil {
		b.Fatal(err)
	}
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if ok, _, err := h.Verify(ctx, enc, "correct horse battery staple"); !ok || err != nil {
				b.Fatal(ok, err)
			}
		}
	})
}

func TestAccentsTypedEitherWayMatch(t *testing.T) {
	h := NewHasher(Params{MemoryKiB: 64, Time: 1, Threads: 1}, 1)
	ctx := context.Background()
	precomposed := "Mon chien s'appelle Hélène"
	decomposed := "Mon chien s'appelle He\u0301le\u0300ne"
	enc, err := h.Hash(ctx, precomposed)
	if err != nil {
		t.Fatal(err)
	}
	if ok, _, err := h.Verify(ctx, enc, decomposed); !ok || err != nil {
		t.Fatalf("decomposed accents did not match: %v", err)
	}
}
