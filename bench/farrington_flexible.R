# R's side of bench/bench_aberration.py: farringtonFlexible with its defaults on
# the series of INPUT (series,period,count), evaluating the last LAST weeks of
# each; prints the elapsed seconds and writes series,period,threshold,alarm.
Sys.setenv(TZ = "UTC")
args <- commandArgs(trailingOnly = TRUE)
input <- args[1]; output <- args[2]; last <- as.integer(args[3])
suppressMessages(library(surveillance))
d <- read.csv(input, stringsAsFactors = FALSE)
results <- list()
elapsed <- system.time({
  for (name in unique(d$series)) {
    s <- d[d$series == name, ]
    n <- nrow(s)
    x <- sts(observed = matrix(s$count, ncol = 1), epoch = as.numeric(as.Date(s$period)),
             epochAsDate = TRUE, frequency = 52)
    fit <- suppressWarnings(farringtonFlexible(x, control = list(range = (n - last + 1):n)))
    results[[name]] <- data.frame(series = name, period = s$period[(n - last + 1):n],
                                  threshold = sprintf("%.15g", upperbound(fit)[, 1]),
                                  alarm = as.integer(alarms(fit)[, 1]))
  }
})[["elapsed"]]
write.csv(do.call(rbind, results), output, row.names = FALSE, quote = FALSE)
cat(elapsed, "\n")
