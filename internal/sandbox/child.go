package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"testing"
	"time"

	"github.com/triangulate-nhs/triangulate/internal/check"
)

// Serve is the child: it limits its own memory and CPU time, then reads a
// request on stdin, evaluates the rules in it over the plans in it and
// writes the response on stdout. args are the arguments after Command.
// The error is for a child that could not do its job (bad arguments, no
// limits, an unreadable request); rules that do not load are a response.
func Serve(args []string, stdin io.Reader, stdout io.Writer) error {
	lim, err := parseArgs(args)
	if err != nil {
		return err
	}
	// Before a byte of input: from here on the rules may be hostile.
	if err := limitSelf(lim); err != nil {
		return fmt.Errorf("limit the sandbox: %w", err)
	}
	raw, err := io.ReadAll(io.LimitReader(stdin, maxWire+1))
	if err != nil {
		return fmt.Errorf("read the request: %w", err)
	}
	if len(raw) > maxWire {
		return fmt.Errorf("read the request: over %s", bytesInWords(maxWire))
	}
	var req request
	if err := json.Unmarshal(raw, &req); err != nil {
		return fmt.Errorf("read the request: %w", err)
	}
	resp, err := evaluate(context.Background(), req)
	if err != nil {
		return err
	}
	if err := json.NewEncoder(stdout).Encode(resp); err != nil {
		return fmt.Errorf("write the response: %w", err)
	}
	return nil
}

func parseArgs(args []string) (Limits, error) {
	var lim Limits
	var cpu uint64
	fl := flag.NewFlagSet(Command, flag.ContinueOnError)
	fl.SetOutput(io.Discard)
	fl.Int64Var(&lim.Memory, "memory", 0, "bytes of address space above the starting point")
	fl.Uint64Var(&cpu, "cpu", 0, "seconds of CPU time")
	if err := fl.Parse(args); err != nil {
		return lim, fmt.Errorf("read the sandbox's arguments: %w", err)
	}
	if lim.Memory <= 0 || cpu == 0 || fl.NArg() > 0 {
		return lim, errors.New("read the sandbox's arguments: want -memory BYTES -cpu SECONDS and nothing else")
	}
	lim.CPU = time.Duration(cpu) * time.Second
	return lim, nil
}

// evaluate is the pipeline over the request's tree, exactly as check runs
// it: the rules load from the tree, then judge the plans in it.
func evaluate(ctx context.Context, req request) (response, error) {
	fsys, err := newMemFS(req.Files)
	if err != nil {
		return response{}, err
	}
	rules, err := check.LoadRules(ctx, fsys, req.Options)
	if err != nil {
		return response{Error: err.Error()}, nil
	}
	res, err := check.Run(ctx, rules, fsys, req.Options)
	if err != nil {
		return response{Error: err.Error()}, nil
	}
	return response{Findings: res.Findings}, nil
}

// A test binary has no Command: when a parent in a test (of this package,
// of review, of cli) starts one as the child, it serves here, before the
// testing package reads its arguments, and exits. This is the helper-process
// pattern (TestMain re-running os.Args[0]) done once for every test binary
// that links the sandbox. In the triangulate binary testing.Testing() is
// false and the cli's hidden Command serves instead, so only main exits.
func init() {
	if !testing.Testing() || os.Getenv(envChild) != "1" || len(os.Args) < 2 || os.Args[1] != Command {
		return
	}
	if err := Serve(os.Args[2:], os.Stdin, os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "triangulate %s: %v\n", Command, err)
		os.Exit(2)
	}
	os.Exit(0)
}
