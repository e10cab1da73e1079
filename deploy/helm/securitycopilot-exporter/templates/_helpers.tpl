{{/* The chart name, or nameOverride. */}}
{{- define "securitycopilot-exporter.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The name of every object: fullnameOverride, else the release name when it
already contains the chart name, else release-chart; 63 characters at most.
*/}}
{{- define "securitycopilot-exporter.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "securitycopilot-exporter.namespace" -}}
{{- default .Release.Namespace .Values.namespaceOverride }}
{{- end }}

{{- define "securitycopilot-exporter.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "securitycopilot-exporter.labels" -}}
helm.sh/chart: {{ include "securitycopilot-exporter.chart" . }}
{{ include "securitycopilot-exporter.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: securitycopilot-exporter
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "securitycopilot-exporter.selectorLabels" -}}
app.kubernetes.io/name: {{ include "securitycopilot-exporter.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "securitycopilot-exporter.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "securitycopilot-exporter.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
The Secret mounted at /run/secrets/securitycopilot_exporter: existingSecret,
or the one the chart makes from clientSecrets, or none.
*/}}
{{- define "securitycopilot-exporter.secretName" -}}
{{- if and .Values.existingSecret .Values.clientSecrets }}
{{- fail "set existingSecret or clientSecrets, not both" }}
{{- end }}
{{- if .Values.existingSecret }}
{{- .Values.existingSecret }}
{{- else if .Values.clientSecrets }}
{{- include "securitycopilot-exporter.fullname" . }}
{{- end }}
{{- end }}

{{- define "securitycopilot-exporter.image" -}}
{{- $tag := .Values.image.tag | default .Chart.AppVersion }}
{{- if .Values.image.digest }}
{{- printf "%s:%s@%s" .Values.image.repository $tag .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository $tag }}
{{- end }}
{{- end }}

{{/*
The PersistentVolumeClaim of the token cache: the one given, or the chart's.
*/}}
{{- define "securitycopilot-exporter.tokenCacheClaim" -}}
{{- default (printf "%s-token-cache" (include "securitycopilot-exporter.fullname" .)) .Values.tokenCache.persistence.existingClaim -}}
{{- end }}

{{/*
Fails unless every device_code tenant keeps its token cache on the
persistent volume: the root filesystem is read-only, and a cache in the
container would be lost at the next restart.
*/}}
{{- define "securitycopilot-exporter.checkTokenCache" -}}
{{- $dir := printf "%s/" (trimSuffix "/" .Values.tokenCache.mountPath) }}
{{- range .Values.config.tenants }}
{{- if eq (get . "auth" | default "") "device_code" }}
{{- $file := get . "token_cache_file" | default "" }}
{{- if not $.Values.tokenCache.persistence.enabled }}
{{- fail (printf "tenant %s uses auth device_code: set tokenCache.persistence.enabled=true, and token_cache_file under %s" (get . "name") $dir) }}
{{- end }}
{{- if not (hasPrefix $dir $file) }}
{{- fail (printf "tenant %s keeps its token cache at %q, which is not on the token cache volume: put token_cache_file under %s" (get . "name") $file $dir) }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
