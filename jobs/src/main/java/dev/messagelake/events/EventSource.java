package dev.messagelake.events;

/** Where a job's events come from ({@code --source}); lower case as users type them. */
public enum EventSource {
  /** Generated here by the rate source. */
  rate,
  /** Read from the broker's topic. */
  kafka
}
