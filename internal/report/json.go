package report

import (
	"encoding/json"
	"io"

	"github.com/triangulate-nhs/triangulate/internal/finding"
)

// jsonReport is the stable machine-readable document; its field names are a
// contract with scripts that read it, so they change only with a new key.
type jsonReport struct {
	Ref         string            `json:"ref"`
	PlansRead   int               `json:"plans_read"`
	Counts      finding.Counts    `json:"counts"`
	Submittable bool              `json:"submittable"`
	Findings    []finding.Finding `json:"findings"`
}

func writeJSON(w io.Writer, r Result) error {
	doc := jsonReport{
		Ref:         r.Ref,
		PlansRead:   r.PlansRead,
		Counts:      finding.Count(r.Findings),
		Submittable: r.Submittable(),
		Findings:    r.Findings,
	}
	// Readers expect a list, never null, even when nothing was found.
	if doc.Findings == nil {
		doc.Findings = []finding.Finding{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}
