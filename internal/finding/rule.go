package finding

// Rule describes one check of the catalogue, as declared in the policy's own
// metadata (or, for schema checks, by the loader).
type Rule struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Description string   `json:"description,omitempty"`
	Category    string   `json:"category"`
	Severity    Severity `json:"severity"` // the most serious severity the rule can raise
	Rationale   string   `json:"rationale,omitempty"`
}
