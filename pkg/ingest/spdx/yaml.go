package spdx

import (
	"errors"
	"fmt"

	"go.yaml.in/yaml/v3"
)

// decodeYAML reads an SPDX YAML document. The YAML is turned into a JSON
// tree by hand rather than through a generic decoder so that scalars keep
// their text: versionInfo: 1.10 must stay "1.10", not become the number 1.1.
func decodeYAML(data []byte, t *tolerance) (*result, error) {
	var root yaml.Node
	if err := guard("the YAML parser", func() error { return yaml.Unmarshal(data, &root) }); err != nil {
		return nil, err
	}
	n := &root
	if n.Kind == 0 {
		return nil, errors.New("empty YAML document")
	}
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return nil, errors.New("empty YAML document")
		}
		n = n.Content[0]
	}
	c := yamlConverter{budget: len(data) + 10000, active: map[*yaml.Node]bool{}}
	v, err := c.value("", n)
	if err != nil {
		return nil, err
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("the document is %s, want a YAML mapping", kindOf(v))
	}
	return decodeTree(obj, t)
}

// yamlConverter turns YAML nodes into a JSON tree. Aliases are expanded
// within a budget of nodes, so that an alias bomb costs no more than an
// input of about the same size, and an alias that contains itself is an
// error rather than an endless loop.
type yamlConverter struct {
	budget int
	active map[*yaml.Node]bool
}

func (c *yamlConverter) value(key string, n *yaml.Node) (any, error) {
	if n == nil {
		return nil, nil
	}
	c.budget--
	if c.budget < 0 {
		return nil, errors.New("YAML aliases expand to more than the size of the input allows")
	}
	switch n.Kind {
	case yaml.AliasNode:
		if c.active[n.Alias] {
			return nil, fmt.Errorf("line %d: alias *%s refers to a node that contains it", n.Line, n.Value)
		}
		c.active[n.Alias] = true
		defer delete(c.active, n.Alias)
		return c.value(key, n.Alias)
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return c.value(key, n.Content[0])
	case yaml.ScalarNode:
		if n.ShortTag() == "!!null" {
			return nil, nil
		}
		return scalar(key, n.Value), nil
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, m := range n.Content {
			v, err := c.value(key, m)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.MappingNode:
		out := make(map[string]any, len(n.Content)/2)
		if err := c.mapping(out, n); err != nil {
			return nil, err
		}
		return out, nil
	}
	return nil, fmt.Errorf("line %d: unknown YAML node kind %d", n.Line, n.Kind)
}

// mapping adds the members of mapping node n to out. Keys given earlier win
// over keys merged in with <<.
func (c *yamlConverter) mapping(out map[string]any, n *yaml.Node) error {
	var merges []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		for k.Kind == yaml.AliasNode && k.Alias != nil {
			k = k.Alias
		}
		if k.Kind != yaml.ScalarNode {
			return fmt.Errorf("line %d: a mapping key must be a scalar", k.Line)
		}
		if k.ShortTag() == "!!merge" {
			merges = append(merges, v)
			continue
		}
		val, err := c.value(k.Value, v)
		if err != nil {
			return err
		}
		out[k.Value] = val
	}
	for _, m := range merges {
		v, err := c.value("", m)
		if err != nil {
			return err
		}
		var sources []any
		switch t := v.(type) {
		case map[string]any:
			sources = []any{t}
		case []any:
			sources = t
		default:
			return fmt.Errorf("line %d: << must merge a mapping or a list of mappings", m.Line)
		}
		for _, s := range sources {
			sm, ok := s.(map[string]any)
			if !ok {
				return fmt.Errorf("line %d: << must merge a mapping or a list of mappings", m.Line)
			}
			for k, x := range sm {
				if _, exists := out[k]; !exists {
					out[k] = x
				}
			}
		}
	}
	return nil
}
