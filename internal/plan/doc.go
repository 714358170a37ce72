// Package plan loads plan files from a file system (a directory or a git
// tree), validates each one independently against the CUE schema, and hands
// later stages the exported data together with a way to map any field path
// back to file:line. Schema problems are returned as findings, never as
// errors: an error means the plans could not be read at all.
package plan
