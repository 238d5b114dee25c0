-- A GET benchmark: wrk's own request with the headers given by -H; done() prints one JSON line of results.
done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '@@{"requests":%d,"duration_us":%d,"socket_errors":%d,"non2xx":%d,"p50_us":%d,"p99_us":%d,"mean_us":%.1f}\n',
    summary.requests, summary.duration, errors.connect + errors.read + errors.write + errors.timeout,
    errors.status, latency:percentile(50), latency:percentile(99), latency.mean))
end
