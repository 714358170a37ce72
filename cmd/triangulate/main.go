// Command triangulate checks NHS operational plans held as code: each plan a
// CUE file validated against the schema, the whole set checked by OPA
// policies for alignment, believability and control totals. See README.md.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/triangulate-nhs/triangulate/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
