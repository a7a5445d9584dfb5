{{- define "agents.ns" -}}{{ $.root.Values.namespace }}-{{ .agent.layer }}{{- end -}}
{{- define "agents.selector" -}}
app.kubernetes.io/name: {{ .agent.name }}
app.kubernetes.io/part-of: {{ .root.Values.namespace }}
{{- end -}}
{{- define "agents.labels" -}}
{{ include "agents.selector" . }}
app.kubernetes.io/version: {{ .agent.version | quote }}
app.kubernetes.io/component: {{ .agent.layer }}
app.kubernetes.io/managed-by: helm
{{- end -}}
{{- define "agents.probe" -}}
httpGet: {path: {{ .http.path }}, port: {{ .http.port }}, scheme: HTTP}
periodSeconds: {{ .periodSeconds | default 10 }}
timeoutSeconds: 3
failureThreshold: {{ .failureThreshold | default 3 }}
{{- end -}}
