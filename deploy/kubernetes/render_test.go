package kubernetes

import (
	"errors"
	"fmt"
	"testing"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	sigsjson "sigs.k8s.io/json"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"
)

// manifests are the objects a kustomization renders, each decoded into its
// real type; a kind the base should not have is an error, not ignored.
type manifests struct {
	deployment     *appsv1.Deployment
	service        *corev1.Service
	configMap      *corev1.ConfigMap
	serviceAccount *corev1.ServiceAccount
	secret         *corev1.Secret
	serviceMonitor *monitoringv1.ServiceMonitor
	prometheusRule *monitoringv1.PrometheusRule
	// pvc is the Helm chart's token cache volume (delegated access).
	pvc *corev1.PersistentVolumeClaim
}

type typeMeta struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
}

// decoders say which field each object type goes to; a type the deployment
// does not use has none and is an error.
func (m *manifests) decoders() map[typeMeta]func([]byte) error {
	return map[typeMeta]func([]byte) error{
		{"apps/v1", "Deployment"}:                      func(d []byte) error { return decodeInto(d, &m.deployment) },
		{"v1", "Service"}:                              func(d []byte) error { return decodeInto(d, &m.service) },
		{"v1", "ConfigMap"}:                            func(d []byte) error { return decodeInto(d, &m.configMap) },
		{"v1", "ServiceAccount"}:                       func(d []byte) error { return decodeInto(d, &m.serviceAccount) },
		{"v1", "Secret"}:                               func(d []byte) error { return decodeInto(d, &m.secret) },
		{"monitoring.coreos.com/v1", "ServiceMonitor"}: func(d []byte) error { return decodeInto(d, &m.serviceMonitor) },
		{"monitoring.coreos.com/v1", "PrometheusRule"}: func(d []byte) error { return decodeInto(d, &m.prometheusRule) },
		{"v1", "PersistentVolumeClaim"}:                func(d []byte) error { return decodeInto(d, &m.pvc) },
	}
}

// decodeStrict decodes one object into its real type, rejecting fields the
// type does not have, so a misspelt field fails here instead of being
// dropped silently by the API server.
func (m *manifests) decodeStrict(doc []byte) error {
	var tm typeMeta
	if err := yaml.Unmarshal(doc, &tm); err != nil {
		return fmt.Errorf("read apiVersion and kind: %w", err)
	}
	decode, ok := m.decoders()[tm]
	if !ok {
		return fmt.Errorf("unexpected object %s %s", tm.APIVersion, tm.Kind)
	}
	return decode(doc)
}

// decodeInto decodes like the API server does: YAML to JSON, then JSON keys
// matched case-sensitively. encoding/json alone would accept a field whose
// case is wrong, which the API server drops.
func decodeInto[T any](doc []byte, dst **T) error {
	if *dst != nil {
		return fmt.Errorf("%T appears twice", *dst)
	}
	data, err := yaml.YAMLToJSONStrict(doc)
	if err != nil {
		return fmt.Errorf("convert YAML to JSON: %w", err)
	}
	obj := new(T)
	strictErrs, err := sigsjson.UnmarshalStrict(data, obj)
	if err != nil {
		return fmt.Errorf("decode %T: %w", obj, err)
	}
	if len(strictErrs) > 0 {
		return fmt.Errorf("decode %T strictly: %w", obj, errors.Join(strictErrs...))
	}
	*dst = obj
	return nil
}

// render builds the kustomization in dir and decodes what it renders.
func render(dir string) (*manifests, error) {
	resources, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		return nil, fmt.Errorf("kustomize build %s: %w", dir, err)
	}
	m := &manifests{}
	for _, r := range resources.Resources() {
		doc, err := r.AsYAML()
		if err != nil {
			return nil, fmt.Errorf("render %s: %w", r.CurId(), err)
		}
		if err := m.decodeStrict(doc); err != nil {
			return nil, fmt.Errorf("%s: %w", r.CurId(), err)
		}
	}
	return m, nil
}

func mustRender(t *testing.T, dir string) *manifests {
	t.Helper()
	m, err := render(dir)
	if err != nil {
		t.Fatal(err)
	}
	return m
}
