// Shell completion for the kubectl-pgo command itself; each asks `kubectl-pgo __complete`. (For
// `kubectl pgo`, kubectl's own completion runs kubectl_complete-pgo instead.)
export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

// Written with $\{ for ${ (String.raw would interpolate it); unescaped on use.
const BASH = String.raw`# bash completion for kubectl-pgo                      -*- shell-script -*-
# Load with: source <(kubectl pgo completion bash)
_kubectl_pgo() {
  local cur="$\{COMP_WORDS[COMP_CWORD]}" out line directive=0
  local -a cands=()
  out=$(kubectl-pgo __complete "$\{COMP_WORDS[@]:1:COMP_CWORD-1}" "$cur" 2>/dev/null) || return 0
  while IFS= read -r line; do
    if [[ $line =~ ^:([0-9]+)$ ]]; then directive=$\{BASH_REMATCH[1]}; continue; fi
    [[ -n $line ]] && cands+=("$\{line%%$'\t'*}")
  done <<<"$out"
  COMPREPLY=()
  local c
  for c in "$\{cands[@]}"; do [[ $c == "$cur"* ]] && COMPREPLY+=("$c"); done
  if (( $\{#COMPREPLY[@]} == 0 && (directive & 4) == 0 )); then
    mapfile -t COMPREPLY < <(compgen -f -- "$cur")
  fi
}
complete -o default -F _kubectl_pgo kubectl-pgo
`;

const ZSH = String.raw`#compdef kubectl-pgo
# zsh completion for kubectl-pgo. Load with: source <(kubectl pgo completion zsh)
_kubectl_pgo() {
  local -a lines comps
  local line directive=0
  lines=("$\{(@f)$(kubectl-pgo __complete "$\{(@)words[2,CURRENT-1]}" "$\{words[CURRENT]}" 2>/dev/null)}")
  for line in "$\{lines[@]}"; do
    if [[ $line == :<-> ]]; then directive=$\{line#:}; continue; fi
    [[ -z $line ]] && continue
    if [[ $line == *$'\t'* ]]; then
      comps+=("$\{$\{line%%$'\t'*}//:/\\:}:$\{line#*$'\t'}")
    else
      comps+=("$\{line//:/\\:}")
    fi
  done
  if (( $\{#comps} )); then
    _describe 'kubectl-pgo' comps
  elif (( (directive & 4) == 0 )); then
    _files
  fi
}
if [ "$funcstack[1]" = "_kubectl_pgo" ]; then _kubectl_pgo "$@"; else compdef _kubectl_pgo kubectl-pgo; fi
`;

const FISH = String.raw`# fish completion for kubectl-pgo. Load with: kubectl pgo completion fish | source
function __kubectl_pgo_complete
    set -l args (commandline -opc)
    set -e args[1]
    for line in (kubectl-pgo __complete $args (commandline -ct) 2>/dev/null)
        string match -qr '^:[0-9]+$' -- $line; and continue
        echo $line
    end
end
complete -c kubectl-pgo -f -a '(__kubectl_pgo_complete)'
`;

export function completionScript(shell: Shell): string {
  return (shell === 'bash' ? BASH : shell === 'zsh' ? ZSH : FISH).replaceAll('$\\{', '${');
}
