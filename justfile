# Conveniences only: README's two commands (go run ., go test ./...) need
# nothing but Go and gcc. Install just with `npm install -g rust-just`.

# Start the server on the embedded defaults.
run:
    go run .

# Regenerate templ views.
generate:
    go tool templ generate

# All tests, as README says.
test:
    go test ./...

# Tests with the race detector, browser tests apart (as CI runs them).
test-race:
    go test -race $(go list ./... | grep -v '/e2e')

# Browser tests; they fail instead of skipping when no browser is found.
e2e:
    npm ci --no-audit --no-fund
    GUICHET_E2E=1 go test -count=1 ./e2e/...

# gofmt, vet and staticcheck.
lint:
    test -z "$(gofmt -l $(git ls-files '*.go'))"
    go vet ./...
    go tool staticcheck ./...

# The load benchmark (needs wrk or uses a Go load generator).
bench:
    go test -run '^$' -bench . $(go list ./... | grep -v /e2e)
    go run ./e2e/load

# Everything CI runs.
ci:
    bash .ci/run
