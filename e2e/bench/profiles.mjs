// The network profiles of the benchmark, as the DevTools protocol sets them
// (Network.emulateNetworkConditions): bytes per second are decimal bits ÷ 8.
export const PROFILES = {
  fast: null, // unthrottled (loopback)
  mid: { latency: 10, downloadThroughput: 30e6 / 8, uploadThroughput: 5e6 / 8 },
  slow: { latency: 150, downloadThroughput: 1.6e6 / 8, uploadThroughput: 750e3 / 8 },
};

export const PROFILE_BYTES_PER_S = Object.fromEntries(
  Object.entries(PROFILES).map(([name, p]) => [name, p?.downloadThroughput ?? null]),
);
