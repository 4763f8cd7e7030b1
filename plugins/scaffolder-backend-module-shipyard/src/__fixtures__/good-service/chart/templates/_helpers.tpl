{{- define "svc.fullname" -}}{{ .Release.Name }}-{{ .Chart.Name }}{{- end }}
{{- define "svc.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}
{{- define "svc.labels" -}}
{{ include "svc.selectorLabels" . }}
backstage.io/kubernetes-id: {{ .Values.kubernetesId }}
{{- end }}
