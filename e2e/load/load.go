package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// loadSpec is one load run against one URL.
type loadSpec struct {
	URL      string
	Cookies  []string // Cookie header values, spread over requests; none if empty
	Duration time.Duration
	Conns    int
	Threads  int
}

// loadResult is what a load generator measured. Latencies are in
// microseconds.
type loadResult struct {
	Tool         string  `json:"tool"`
	Requests     int64   `json:"requests"`
	Seconds      float64 `json:"seconds"`
	RPS          float64 `json:"rps"`
	P50us        float64 `json:"p50_us"`
	P90us        float64 `json:"p90_us"`
	P99us        float64 `json:"p99_us"`
	MaxUS        float64 `json:"max_us"`
	Non2xx       int64   `json:"non_2xx"`
	SocketErrors int64   `json:"socket_errors"`
	Raw          string  `json:"-"`
}

// wrkScript reports wrk's summary as one JSON line and, when cookies are
// given, cycles through prebuilt requests carrying them (built once in
// init, so request() costs one table lookup). Each wrk thread starts at a
// different place in the list.
func wrkScript(cookies []string) string {
	var b strings.Builder
	b.WriteString("local cookies = {\n")
	for _, c := range cookies {
		fmt.Fprintf(&b, "  %q,\n", c)
	}
	b.WriteString("}\n")
	if len(cookies) > 0 {
		b.WriteString(`local threads = 0
setup = function(thread)
  thread:set("offset", threads)
  threads = threads + 1
end
local reqs = {}
local pos = 0
init = function(args)
  for i, c in ipairs(cookies) do
    reqs[i] = wrk.format("GET", wrk.path, { ["Host"] = wrk.headers["Host"], ["Cookie"] = c })
  end
  pos = ((offset or 0) * 17) % #reqs
end
request = function()
  pos = pos % #reqs + 1
  return reqs[pos]
end
`)
	}
	b.WriteString(`done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCHJSON {\"requests\":%d,\"duration_us\":%d,\"connect\":%d,\"read\":%d,\"write\":%d,\"status\":%d,\"timeout\":%d,\"p50\":%.1f,\"p90\":%.1f,\"p99\":%.1f,\"max\":%.1f}\n",
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
`)
	return b.String()
}

type wrkSummary struct {
	Requests   int64   `json:"requests"`
	DurationUS int64   `json:"duration_us"`
	Connect    int64   `json:"connect"`
	Read       int64   `json:"read"`
	Write      int64   `json:"write"`
	Status     int64   `json:"status"`
	Timeout    int64   `json:"timeout"`
	P50        float64 `json:"p50"`
	P90        float64 `json:"p90"`
	P99        float64 `json:"p99"`
	Max        float64 `json:"max"`
}

// runWrk drives spec with wrk. wrk counts 4xx and 5xx as status errors;
// the caller checks beforehand that each URL answers exactly 200, so a 3xx
// (which wrk would count as a success) cannot hide in the run.
func runWrk(ctx context.Context, wrkBin, dir string, spec loadSpec) (loadResult, error) {
	script := filepath.Join(dir, fmt.Sprintf("wrk-%d.lua", time.Now().UnixNano()))
	if err := os.WriteFile(script, []byte(wrkScript(spec.Cookies)), 0o600); err != nil {
		return loadResult{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, spec.Duration+time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, wrkBin,
		"-t", strconv.Itoa(spec.Threads), "-c", strconv.Itoa(spec.Conns),
		"-d", fmt.Sprintf("%ds", max(1, int((spec.Duration+time.Second-1)/time.Second))), // wrk takes whole seconds
		"--timeout", "5s", "--latency", "-s", script, spec.URL)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return loadResult{}, fmt.Errorf("wrk: %v\n%s", err, out)
	}
	var sum wrkSummary
	var raw strings.Builder
	found := false
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		line := sc.Text()
		if js, ok := strings.CutPrefix(line, "BENCHJSON "); ok {
			if err := json.Unmarshal([]byte(js), &sum); err != nil {
				return loadResult{}, fmt.Errorf("wrk summary %q: %w", js, err)
			}
			found = true
			continue
		}
		raw.WriteString(line + "\n")
	}
	if !found || sum.DurationUS <= 0 {
		return loadResult{}, fmt.Errorf("wrk printed no summary:\n%s", out)
	}
	secs := float64(sum.DurationUS) / 1e6
	return loadResult{
		Tool:         "wrk",
		Requests:     sum.Requests,
		Seconds:      secs,
		RPS:          float64(sum.Requests) / secs,
		P50us:        sum.P50,
		P90us:        sum.P90,
		P99us:        sum.P99,
		MaxUS:        sum.Max,
		Non2xx:       sum.Status,
		SocketErrors: sum.Connect + sum.Read + sum.Write + sum.Timeout,
		Raw:          raw.String(),
	}, nil
}

// maxSamples bounds the latency samples the Go generator keeps; past it
// each worker keeps a uniform reservoir sample.
const maxSamples = 1 << 20

// runGo is the fallback load generator: one goroutine per connection, each
// with its own keep-alive connection and cookie, for a fixed duration.
// Unlike wrk it counts every status other than 2xx as an error.
func runGo(ctx context.Context, spec loadSpec) (loadResult, error) {
	tr := &http.Transport{
		Proxy:               nil,
		MaxIdleConns:        spec.Conns,
		MaxIdleConnsPerHost: spec.Conns,
		MaxConnsPerHost:     spec.Conns,
		DisableCompression:  true,
		IdleConnTimeout:     time.Minute,
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 5 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	type worker struct {
		n, non2xx, sockErr int64
		samples            []time.Duration
	}
	workers := make([]worker, spec.Conns)
	perWorker := max(1, maxSamples/spec.Conns)
	ctx, cancel := context.WithTimeout(ctx, spec.Duration)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	for i := range workers {
		wg.Go(func() {
			w := &workers[i]
			w.samples = make([]time.Duration, 0, min(perWorker, 4096))
			rng := rand.New(rand.NewPCG(uint64(i), 1))
			cookie := ""
			if len(spec.Cookies) > 0 {
				cookie = spec.Cookies[i%len(spec.Cookies)]
			}
			for ctx.Err() == nil {
				req, err := http.NewRequestWithContext(ctx, http.MethodGet, spec.URL, nil)
				if err != nil {
					w.sockErr++
					return
				}
				if cookie != "" {
					req.Header.Set("Cookie", cookie)
				}
				t0 := time.Now()
				resp, err := client.Do(req)
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				lat := time.Since(t0)
				if err != nil {
					if ctx.Err() != nil {
						return // cut off by the end of the run
					}
					w.sockErr++
					continue
				}
				w.n++
				if resp.StatusCode < 200 || resp.StatusCode > 299 {
					w.non2xx++
				}
				if len(w.samples) < perWorker {
					w.samples = append(w.samples, lat)
				} else if j := rng.Int64N(w.n); j < int64(perWorker) {
					w.samples[j] = lat
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	var res loadResult
	res.Tool = "go"
	var all []time.Duration
	for _, w := range workers {
		res.Requests += w.n
		res.Non2xx += w.non2xx
		res.SocketErrors += w.sockErr
		all = append(all, w.samples...)
	}
	if len(all) == 0 {
		return res, errors.New("no request completed")
	}
	slices.Sort(all)
	pct := func(p float64) float64 {
		i := min(len(all)-1, int(p/100*float64(len(all))))
		return float64(all[i].Nanoseconds()) / 1e3
	}
	res.Seconds = elapsed.Seconds()
	res.RPS = float64(res.Requests) / res.Seconds
	res.P50us, res.P90us, res.P99us = pct(50), pct(90), pct(99)
	res.MaxUS = float64(all[len(all)-1].Nanoseconds()) / 1e3
	return res, nil
}
