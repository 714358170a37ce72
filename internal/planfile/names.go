package planfile

import (
	"encoding/json"
	"fmt"
)

// Organisation is one entry of the reference list.
type Organisation struct {
	Name   string `json:"name"`
	Type   string `json:"type"`
	System string `json:"system"`
}

// ReadOrganisations reads a reference list (plans/organisations.cue).
func ReadOrganisations(src []byte) (map[string]Organisation, error) {
	v, err := compile(src)
	if err != nil {
		return nil, fmt.Errorf("read organisation list: %w", err)
	}
	var list struct {
		Organisations map[string]Organisation `json:"organisations"`
	}
	if err := json.Unmarshal(v, &list); err != nil {
		return nil, fmt.Errorf("read organisation list: %w", err)
	}
	return list.Organisations, nil
}

// ReadNames reads the organisation names of a reference list.
func ReadNames(src []byte) (Names, error) {
	orgs, err := ReadOrganisations(src)
	if err != nil {
		return nil, err
	}
	n := Names{}
	for code, o := range orgs {
		n[code] = o.Name
	}
	return n, nil
}
