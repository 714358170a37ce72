// Command ownerscheck fails when the repository's CODEOWNERS does not bind
// every organisation's plans to a team of its own, lets a path under plans/
// fall through to the catch-all, or leaves the tool's code without both the
// maintainers and the regulators. CI runs it from the repository root:
//
//	go run ./internal/codeowners/cmd/ownerscheck [ROOT]
//
// Exit codes: 0 bound, 1 problems (one per line on stdout), 2 the
// repository could not be read.
package main

import (
	"fmt"
	"os"

	"github.com/triangulate-nhs/triangulate/internal/codeowners"
)

func main() {
	root := "."
	if len(os.Args) > 1 {
		root = os.Args[1]
	}
	problems, err := codeowners.CheckRepository(os.DirFS(root))
	if err != nil {
		fmt.Fprintln(os.Stderr, "ownerscheck:", err)
		os.Exit(2)
	}
	for _, p := range problems {
		fmt.Println(p)
	}
	if len(problems) > 0 {
		fmt.Fprintf(os.Stderr, "ownerscheck: CODEOWNERS problems: %d\n", len(problems))
		os.Exit(1)
	}
	fmt.Println("ownerscheck: every organisation's plans have owners of their own; the tool is the maintainers' and the regulators'")
}
