# Reference values for eocnet's analytics, computed with the R packages that
# epidemiologists use: surveillance (earsC, farringtonFlexible) and EpiEstim
# (estimate_R). Run from the repository root:
#
#     Rscript tests/reference/make_reference.R
#
# It writes the input files and R's results next to this script, in the exact
# format of `eocnet analyze aberration` and `eocnet analyze rt`, so the tests
# (tests/test_analytics_reference.py) compare eocnet's output with R's row by
# row without needing R. Debian packages: r-cran-surveillance, r-cran-epiestim.
#
# Arguments choose parts (all by default): aberration, presets (only the runs
# of the noufaily preset and of --fallback), defaults, rt, rt_imported; e.g.
#     Rscript tests/reference/make_reference.R defaults

Sys.setenv(TZ = "UTC")
parts <- commandArgs(trailingOnly = TRUE)
wanted <- function(part) length(parts) == 0 || part %in% parts
suppressMessages({
  library(surveillance)
  library(EpiEstim)
})

out_dir <- "tests/reference"
num <- function(x) ifelse(is.na(x), "", sprintf("%.15g", x))
flag <- function(x) ifelse(is.na(x), "", as.character(as.integer(x)))

write_rows <- function(df, name) {
  write.csv(df, file.path(out_dir, name), row.names = FALSE, quote = FALSE, na = "")
}

# ---------------------------------------------------------------------------
# Weekly series for aberration detection. Series without dates get weekly
# Mondays from the ISO week their data start in.
# ---------------------------------------------------------------------------
load <- function(name) {
  e <- new.env()
  data(list = name, package = "surveillance", envir = e)
  get(name, envir = e)
}
monday_of <- function(year, week) {
  jan4 <- as.Date(sprintf("%d-01-04", year))
  jan4 - (as.integer(format(jan4, "%u")) - 1) + 7 * (week - 1)
}
series <- list()
add <- function(id, dates, counts) {
  series[[id]] <<- data.frame(series = id, period = as.Date(dates), count = as.integer(counts))
}
newport <- load("salmNewport")
add("salmNewport-total", epoch(newport), rowSums(observed(newport)))
add("salmNewport-Bavaria", epoch(newport), observed(newport)[, "Bavaria"])
add("salmNewport-Berlin", epoch(newport), observed(newport)[, "Berlin"])
hosp <- load("salmHospitalized")
add("salmHospitalized", epoch(hosp), observed(hosp)[, 1])
onset <- load("salmAllOnset")
add("salmAllOnset", epoch(onset), observed(onset)[, 1])
momo <- load("momo")
add("momo-75-84", epoch(momo), observed(momo)[, "[75,85)"])
campy <- load("campyDE")
add("campyDE", campy$date, campy$case)
agona <- load("salmonella.agona")
add("salmonella.agona", monday_of(1990, 1) + 7 * (seq_along(agona$observed) - 1), agona$observed)
influ <- load("influMen")
for (col in seq_len(ncol(influ$observed))) {
  add(paste0("influMen-", colnames(influ$observed)[col]),
      monday_of(2001, 1) + 7 * (seq_len(nrow(influ$observed)) - 1), influ$observed[, col])
}
flu <- load("fluBYBW")
for (col in c(1, 50)) {
  add(paste0("fluBYBW-", colnames(observed(flu))[col]),
      monday_of(2001, 1) + 7 * (seq_len(nrow(observed(flu))) - 1), observed(flu)[, col])
}
for (name in c("k1", "s1")) {
  d <- load(name)
  add(name, monday_of(2001, 1) + 7 * (seq_along(d$observed) - 1), d$observed)
}
input <- do.call(rbind, series)
write_rows(data.frame(series = input$series, period = format(input$period), count = input$count),
           "aberration_input.csv")

as_sts <- function(s) {
  sts(observed = matrix(s$count, ncol = 1), epoch = as.numeric(s$period),
      epochAsDate = TRUE, frequency = 52)
}

run_all <- function(fun) {
  do.call(rbind, lapply(series, function(s) {
    res <- fun(s)
    data.frame(series = s$series, period = format(s$period), count = s$count,
               expected = num(res$expected), threshold = num(res$threshold),
               alarm = flag(res$alarm))
  }))
}

empty <- function(n) list(expected = rep(NA, n), threshold = rep(NA, n), alarm = rep(NA, n))

# EARS: the expected value is the mean of the baseline (R does not return it).
# Only the options given go into R's control list, so "default" runs are R's
# own defaults (earsC's alpha then depends on the method).
ears <- function(method, ...) {
  given <- list(...)
  baseline <- if (is.null(given$baseline)) 7 else given$baseline
  function(s) {
    n <- nrow(s)
    res <- empty(n)
    lag <- switch(method, C1 = 0, C2 = 2, C3 = 2)
    first <- switch(method, C1 = baseline + 1, C2 = baseline + 3, C3 = baseline + 5)
    if (n < first) return(res)
    fit <- earsC(as_sts(s), control = c(list(method = method), given))
    range <- first:n
    res$threshold[range] <- upperbound(fit)[, 1]
    res$alarm[range] <- alarms(fit)[, 1]
    res$expected[range] <- vapply(range, function(k)
      mean(s$count[(k - lag - baseline):(k - lag - 1)]), numeric(1))
    res
  }
}

farrington <- function(...) {
  control <- list(...)
  function(s) {
    n <- nrow(s)
    res <- empty(n)
    b <- if (is.null(control$b)) 5 else control$b
    w <- if (is.null(control$w)) 3 else control$w
    first <- 52 * b + w + 1
    if (n < first) return(res)
    fit <- suppressWarnings(farringtonFlexible(as_sts(s), control = control))
    range <- first:n
    res$threshold[range] <- upperbound(fit)[, 1]
    res$alarm[range] <- alarms(fit)[, 1]
    res$expected[range] <- fit@control$expected[, 1]
    res
  }
}

# Each period with its own number of past years: all it has (eocnet's
# "noufaily" preset: Noufaily et al. 2013 as Salmon et al. 2016's con.noufaily,
# with b as large as the period's history allows), or at most b (eocnet's
# --fallback: fewer years where a period has fewer, EARS C3 with R's defaults
# where it has less than one year). R's range chooses the periods of each b.
by_years <- function(control, all_years = FALSE, fallback = FALSE) {
  w <- if (is.null(control$w)) 3 else control$w
  b_max <- if (is.null(control$b)) 5 else control$b
  function(s) {
    n <- nrow(s)
    res <- empty(n)
    most <- max(0, (n - 1 - w) %/% 52)
    top <- if (all_years) most else min(b_max, most)
    for (years in rev(seq_len(top))) {
      lo <- 52 * years + w + 1
      hi <- if (years == top) n else min(n, 52 * (years + 1) + w)
      if (hi < lo) next
      run <- function(range) {
        ctl <- modifyList(control, list(b = years, range = range))
        fit <- suppressWarnings(farringtonFlexible(as_sts(s), control = ctl))
        res$threshold[range] <<- upperbound(fit)[, 1]
        res$alarm[range] <<- alarms(fit)[, 1]
        res$expected[range] <<- fit@control$expected[, 1]
      }
      # R stops for a period whose blocks reach before the data (possible with
      # few years and noPeriods > 1): that period has no result
      tryCatch(run(lo:hi), error = function(e) {
        for (k in lo:hi) tryCatch(run(k), error = function(e) NULL)
      })
    }
    short <- min(n, 52 + w)
    if (fallback) {
      early <- ears("C3")(s[seq_len(short), ])
      res$threshold[seq_len(short)] <- early$threshold
      res$alarm[seq_len(short)] <- early$alarm
      res$expected[seq_len(short)] <- early$expected
    }
    res
  }
}
noufaily <- list(noPeriods = 10, pastWeeksNotIncluded = 26, thresholdMethod = "nbPlugin",
                 pThresholdTrend = 1)

runs <- list(
  "farrington-flexible_noufaily" = by_years(noufaily, all_years = TRUE),
  "farrington-flexible_noufaily_fallback" = by_years(noufaily, all_years = TRUE, fallback = TRUE),
  "farrington-flexible_default_fallback" = by_years(list(), fallback = TRUE),
  "farrington-flexible_b3_w2_fallback" = by_years(list(b = 3, w = 2), fallback = TRUE),
  "ears-c1_default" = ears("C1"),
  "ears-c2_default" = ears("C2"),
  "ears-c3_default" = ears("C3"),
  "ears-c3_alpha0.025" = ears("C3", alpha = 0.025),
  "ears-c1_baseline10_alpha0.01_minsigma1" = ears("C1", baseline = 10, alpha = 0.01, minSigma = 1),
  "ears-c2_baseline10_alpha0.01_minsigma1" = ears("C2", baseline = 10, alpha = 0.01, minSigma = 1),
  "ears-c3_baseline5_alpha0.025_minsigma0.5" = ears("C3", baseline = 5, alpha = 0.025, minSigma = 0.5),
  "farrington-flexible_default" = farrington(),
  "farrington-flexible_noperiods10_pastweeks26_nbplugin" =
    farrington(noPeriods = 10, pastWeeksNotIncluded = 26, thresholdMethod = "nbPlugin"),
  "farrington-flexible_noperiods10_pastweeks26_muan" =
    farrington(noPeriods = 10, pastWeeksNotIncluded = 26, thresholdMethod = "muan"),
  "farrington-flexible_b3_w2_alpha0.01" = farrington(b = 3, w = 2, alpha = 0.01),
  "farrington-flexible_pastweeks1" = farrington(pastWeeksNotIncluded = 1),
  "farrington-flexible_noperiods4_w2" = farrington(noPeriods = 4, w = 2)
)
# the preset runs fit one model set per b: about 15 minutes each
for (name in names(runs)) {
  preset <- grepl("noufaily|fallback", name)
  if (!(wanted("aberration") || (wanted("presets") && preset))) next
  started <- Sys.time()
  write_rows(run_all(runs[[name]]), paste0("aberration_", name, ".csv"))
  message(name, ": ", format(Sys.time() - started))
}

# ---------------------------------------------------------------------------
# R's defaults, as R itself fills them in. earsC: the control list of a fit
# called with nothing but the method (eocnet's "default" runs), read back from
# the result. farringtonFlexible does not return its settings: its defaults
# are the formal control list it merges the given options into
# (modifyList(eval(formals()$control), control)), with pastWeeksNotIncluded
# NULL meaning w, which the function's body sets. tests/test_analytics_reference.py
# compares eocnet's defaults with these.
# ---------------------------------------------------------------------------
control_value <- function(x) {
  if (is.logical(x)) return(tolower(as.character(x)))
  if (is.numeric(x)) return(paste(sprintf("%.15g", x), collapse = " "))
  paste(as.character(x), collapse = " ")
}
defaults <- list()
probe <- as_sts(series[["salmNewport-total"]])
for (method in c("C1", "C2", "C3")) {
  ctl <- earsC(probe, control = list(method = method))@control
  for (option in c("baseline", "alpha", "minSigma")) {
    defaults[[length(defaults) + 1]] <- data.frame(
      method = paste0("ears-", tolower(method)), option = option,
      value = control_value(ctl[[option]]))
  }
}
ctl <- eval(formals(farringtonFlexible)$control)
if (is.null(ctl$pastWeeksNotIncluded)) ctl$pastWeeksNotIncluded <- "w"
for (option in c("b", "w", "alpha", "noPeriods", "pastWeeksNotIncluded", "thresholdMethod",
                 "reweight", "weightsThreshold", "trend", "pThresholdTrend", "limit54",
                 "powertrans", "populationOffset")) {
  defaults[[length(defaults) + 1]] <- data.frame(
    method = "farrington-flexible", option = option, value = control_value(ctl[[option]]))
}
if (wanted("defaults")) write_rows(do.call(rbind, defaults), "r_defaults.csv")

# ---------------------------------------------------------------------------
# The reproduction number (Cori et al. 2013) on the datasets EpiEstim ships.
# ---------------------------------------------------------------------------
load_epi <- function(name) {
  e <- new.env()
  data(list = name, package = "EpiEstim", envir = e)
  get(name, envir = e)
}
rt_rows <- function(res, dates) {
  r <- res$R
  data.frame(window_start = format(dates[r$t_start]), window_end = format(dates[r$t_end]),
             mean = num(r[["Mean(R)"]]), std = num(r[["Std(R)"]]),
             q025 = num(r[["Quantile.0.025(R)"]]), median = num(r[["Median(R)"]]),
             q975 = num(r[["Quantile.0.975(R)"]]))
}
si_params <- list(Flu2009 = c(2.6, 1.5), Flu1918 = c(2.6, 1.5), Measles1861 = c(14.9, 3.9),
                  SARS2003 = c(8.4, 3.8), Smallpox1972 = c(22.4, 6.1), MockRotavirus = c(2.5, 1.2))
for (name in if (wanted("rt")) names(si_params) else character()) {
  d <- load_epi(name)
  incid <- d$incidence
  if (is.data.frame(incid)) {
    dates <- as.Date(incid$dates)
    counts <- incid$I
  } else {
    counts <- as.vector(incid)
    dates <- as.Date("2020-01-01") + seq_along(counts) - 1
  }
  write_rows(data.frame(date = format(dates), count = as.integer(counts)),
             paste0("rt_", name, "_incidence.csv"))
  p <- si_params[[name]]
  res <- suppressMessages(suppressWarnings(estimate_R(counts, method = "parametric_si",
    config = make_config(list(mean_si = p[1], std_si = p[2])))))
  write_rows(rt_rows(res, dates), sprintf("rt_%s_parametric_%g_%g.csv", name, p[1], p[2]))
  if (!is.null(d$si_distr)) {
    write_rows(data.frame(day = seq_along(d$si_distr) - 1, p = num(d$si_distr)),
               paste0("rt_", name, "_si.csv"))
    res <- suppressMessages(suppressWarnings(estimate_R(counts, method = "non_parametric_si",
      config = make_config(list(si_distr = d$si_distr)))))
    write_rows(rt_rows(res, dates), paste0("rt_", name, "_nonparametric.csv"))
  }
}

# Local and imported cases (EpiEstim's incid with columns local and imported),
# and windows of another length. The imported cases are made from the shipped
# counts by a fixed rule (a third of each day's cases, rounded up, in the first three weeks
# arrive from elsewhere), so the split is reproducible. eocnet reads them as
# date,local,imported.
split_imported <- function(counts) {
  imported <- ifelse(seq_along(counts) <= 21, ceiling(counts / 3), 0)
  data.frame(local = as.integer(counts - imported), imported = as.integer(imported))
}
for (name in if (wanted("rt_imported")) c("Flu2009", "SARS2003") else character()) {
  d <- load_epi(name)
  if (is.data.frame(d$incidence)) {
    dates <- as.Date(d$incidence$dates)
    counts <- d$incidence$I
  } else {
    counts <- as.vector(d$incidence)
    dates <- as.Date("2020-01-01") + seq_along(counts) - 1
  }
  incid <- split_imported(counts)
  write_rows(data.frame(date = format(dates), local = incid$local, imported = incid$imported),
             paste0("rt_", name, "imported_incidence.csv"))
  p <- si_params[[name]]
  res <- suppressMessages(suppressWarnings(estimate_R(incid, method = "parametric_si",
    config = make_config(list(mean_si = p[1], std_si = p[2])))))
  write_rows(rt_rows(res, dates), sprintf("rt_%simported_parametric_%g_%g.csv", name, p[1], p[2]))
  res <- suppressMessages(suppressWarnings(estimate_R(incid, method = "non_parametric_si",
    config = make_config(list(si_distr = d$si_distr)))))
  write_rows(rt_rows(res, dates), paste0("rt_", name, "imported_nonparametric.csv"))
  # 14-day windows: t_start = 2:(T - 13), t_end = t_start + 13
  n <- nrow(incid)
  t_start <- seq(2, n - 13)
  res <- suppressMessages(suppressWarnings(estimate_R(incid, method = "parametric_si",
    config = make_config(list(mean_si = p[1], std_si = p[2], t_start = t_start,
                              t_end = t_start + 13)))))
  write_rows(rt_rows(res, dates),
             sprintf("rt_%simported_parametric_%g_%g_window14.csv", name, p[1], p[2]))
}
writeLines(c(
  paste("R", paste(R.version$major, R.version$minor, sep = ".")),
  paste("surveillance", packageVersion("surveillance")),
  paste("EpiEstim", packageVersion("EpiEstim"))
), file.path(out_dir, "VERSIONS.txt"))
