{{/* Resolved settings of one service: defaults <- services.<id> <- services.<id>.initial (phase=initial) */}}
{{- define "examples.svc" -}}
{{- $root := index . 0 -}}
{{- $id := index . 1 -}}
{{- $spec := index $root.Values.services $id -}}
{{- $svc := mergeOverwrite (deepCopy $root.Values.defaults) (deepCopy (omit $spec "initial")) -}}
{{- if and (eq $root.Values.phase "initial") $spec.initial -}}
{{- range $k, $v := $spec.initial }}{{ $_ := set $svc $k $v }}{{ end -}}
{{- end -}}
{{- toYaml $svc -}}
{{- end -}}

{{- define "examples.labels" -}}
{{- $root := index . 0 -}}
{{- $id := index . 1 -}}
{{- $svc := index . 2 -}}
backstage.io/kubernetes-id: {{ $id }}
app.kubernetes.io/name: {{ $id }}
app.kubernetes.io/instance: {{ $id }}
app.kubernetes.io/component: {{ $svc.component | default "service" }}
app.kubernetes.io/part-of: shipyard-examples
app.kubernetes.io/managed-by: {{ $root.Release.Service }}
app.kubernetes.io/version: {{ (splitList ":" $svc.image | last) | quote }}
helm.sh/chart: {{ $root.Chart.Name }}-{{ $root.Chart.Version }}
shipyard.dev/environment: {{ $root.Values.environment }}
{{- end -}}
