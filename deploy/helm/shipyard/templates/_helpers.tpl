{{/* Chart name, overridable. */}}
{{- define "shipyard.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Fully qualified app name: release name, plus the chart name unless the release name contains it. */}}
{{- define "shipyard.fullname" -}}
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

{{- define "shipyard.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Selector labels: stable for the life of a release. */}}
{{- define "shipyard.selectorLabels" -}}
app.kubernetes.io/name: {{ include "shipyard.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Common labels; backstage.io/kubernetes-id lets the portal find its own workloads. */}}
{{- define "shipyard.labels" -}}
helm.sh/chart: {{ include "shipyard.chart" . }}
{{ include "shipyard.selectorLabels" . }}
app.kubernetes.io/version: {{ include "shipyard.imageTag" . | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: shipyard
backstage.io/kubernetes-id: {{ .Values.kubernetesId | quote }}
{{- end }}

{{- define "shipyard.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "shipyard.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "shipyard.imageTag" -}}
{{- default .Chart.AppVersion .Values.image.tag }}
{{- end }}

{{- define "shipyard.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (include "shipyard.imageTag" .) }}
{{- end }}
{{- end }}

{{/* The URL browsers use: https://<first ingress host>, or appBaseUrl. */}}
{{- define "shipyard.baseUrl" -}}
{{- if .Values.appBaseUrl }}
{{- .Values.appBaseUrl }}
{{- else if and .Values.ingress.enabled .Values.ingress.host }}
{{- printf "https://%s" .Values.ingress.host }}
{{- else }}
{{- printf "http://%s.%s.svc:%v" (include "shipyard.fullname" .) .Release.Namespace .Values.service.port }}
{{- end }}
{{- end }}

{{- define "shipyard.databaseSecretName" -}}
{{- if .Values.database.existingSecret }}
{{- .Values.database.existingSecret }}
{{- else }}
{{- printf "%s-database" (include "shipyard.fullname" .) }}
{{- end }}
{{- end }}

{{/* Whether the pod gets an API token (the deployment-health backend watches this cluster). */}}
{{- define "shipyard.mountToken" -}}
{{- if .Values.inCluster.enabled }}true{{ end }}
{{- end }}
