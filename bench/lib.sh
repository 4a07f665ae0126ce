# shellcheck shell=bash
# Small helpers shared by the load drivers in bench/ (bench/identity_load.sh; bench/sip_load.sh
# keeps its own copies for now). Source it.
#   bl_tree_pids PID          PID and every descendant (Kamailio forks its workers)
#   bl_cpu_ns PID             summed sum_exec_runtime (ns) of every thread of PID's process tree,
#                             from /proc/P/task/T/schedstat (field 1); the figure peers.md says
#                             to trust on these VMs (not /proc/stat)
#   bl_minflt PID             summed minor page faults (/proc/P/stat field 10) of PID's process
#                             tree: on these VMs a first touch of new heap is a costly fault
#   bl_sipp_counts CSV        "SUCCESSFUL FAILED RETRANSMISSIONS" from the last line of a SIPp
#                             -trace_stat file (cumulative counters)

bl_tree_pids() {
  local queue=("$1") all=() p c
  while [ ${#queue[@]} -gt 0 ]; do
    p=${queue[0]}
    queue=("${queue[@]:1}")
    all+=("$p")
    for c in $(cat /proc/"$p"/task/*/children 2> /dev/null); do queue+=("$c"); done
  done
  echo "${all[@]}"
}

bl_cpu_ns() {
  local ns=0 p t f0
  for p in $(bl_tree_pids "$1"); do
    for t in /proc/"$p"/task/*/schedstat; do
      read -r f0 _ 2> /dev/null < "$t" && ns=$(( ns + f0 ))
    done
  done
  echo "$ns"
}

bl_minflt() {
  local n=0 p rest
  for p in $(bl_tree_pids "$1"); do
    # Fields after the parenthesised command name: state is field 3, minflt field 10.
    rest=$(sed 's/^.*) //' /proc/"$p"/stat 2> /dev/null) || continue
    set -- $rest
    n=$(( n + ${8:-0} ))
  done
  echo "$n"
}

bl_sipp_counts() {
  python3 - "$1" << 'PY'
import csv, sys
rows = [r for r in csv.reader(open(sys.argv[1], newline=""), delimiter=";") if r]
h, last = rows[0], rows[-1]
print(*(int(last[h.index(c)] or 0) for c in ("SuccessfulCall(C)", "FailedCall(C)", "Retransmissions(C)")))
PY
}
