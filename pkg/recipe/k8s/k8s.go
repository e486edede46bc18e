// Package k8s reads Kubernetes manifests, Helm values and charts, and
// Compose files for the container images they deploy: every "image:"
// value (a string, or Helm's repository/tag map). Templates are not
// rendered; a reference that holds a template expression is left out.
package k8s

import (
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/pedigree-sbom/pedigree/pkg/recipe/decl"
	"github.com/pedigree-sbom/pedigree/pkg/recipe/docker"
)

// maxDepth bounds how deep the YAML tree is walked.
const maxDepth = 64

// Parse reads a YAML file of one or more documents.
func Parse(data []byte) []decl.Item {
	if len(data) > decl.MaxBytes {
		return nil
	}
	// Decoding stops at the end, or at YAML this reader cannot read (a
	// template).
	return ParseDocuments(decl.YAMLDocuments(data))
}

// ParseDocuments reads the documents of a YAML file, as
// decl.YAMLDocuments decodes them.
func ParseDocuments(docs []*yaml.Node) []decl.Item {
	var l decl.List
	for _, n := range docs {
		walk(n, 0, &l)
	}
	return l.Items
}

func walk(n *yaml.Node, depth int, l *decl.List) {
	if n == nil || depth > maxDepth || len(l.Items) >= decl.MaxItems {
		return
	}
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Value == "image" {
				image(v, l)
			}
		}
	}
	if n.Kind == yaml.AliasNode {
		return // aliases are walked where they are defined
	}
	for _, c := range n.Content {
		walk(c, depth+1, l)
	}
}

func image(v *yaml.Node, l *decl.List) {
	ref := ""
	switch v.Kind {
	case yaml.ScalarNode:
		ref = v.Value
	case yaml.MappingNode:
		// Helm values: image: {registry: r, repository: x, tag: y}
		m := map[string]string{}
		for i := 0; i+1 < len(v.Content); i += 2 {
			if v.Content[i+1].Kind == yaml.ScalarNode {
				m[v.Content[i].Value] = v.Content[i+1].Value
			}
		}
		ref = m["repository"]
		if ref == "" {
			ref = m["name"]
		}
		if ref != "" && m["registry"] != "" {
			ref = m["registry"] + "/" + ref
		}
		if ref != "" && m["tag"] != "" {
			ref += ":" + m["tag"]
		}
	}
	ref = strings.TrimSpace(ref)
	if ref == "" || strings.ContainsAny(ref, "{}$ \t") || len(ref) > 300 {
		return
	}
	it := docker.Image(ref)
	it.Line, it.By = v.Line, "image reference"
	l.Add(it)
}
