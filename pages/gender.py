"""Gender of the people quoted: shares of quotes by gender over time and per outlet, the most quoted
women and men, and the evidence behind every speaker's gender (the Gender Gap Tracker's view)."""

import streamlit as st

from dashboard import charts, queries, ui

view = ui.page("Gender of sources")

freq = ui.period(view, "Per", "gender_freq")
over_time = view.get(queries.gender_over_time, freq)
if not len(over_time):
    ui.empty("No quotes of people (organisations have no gender) in these articles.")
    st.stop()
totals = over_time.groupby("gender")["quotes"].sum()
for column, gender in zip(st.columns(3), ("female", "male", "unknown")):
    column.metric(
        f"Quotes of {gender} people", f"{totals.get(gender, 0) / totals.sum():.0%}", f"{totals.get(gender, 0):,}"
    )
st.caption("Shares of the quotes of people; `unknown`: no evidence, or evidence that conflicts (see the table below).")
ui.chart(charts.gender_shares(over_time, "period", "Share of quotes by gender", freq), key="gender_time")
ui.chart(
    charts.gender_shares(view.get(queries.gender_per_source), "source", "Share of quotes by gender per outlet"),
    key="gender_outlets",
)

top = view.get(queries.top_speakers_by_gender, 10)
if len(top):
    ui.chart(
        charts.per_group_bars(top, "gender", "speaker", "quotes", "Most quoted women and men", 2, ("female", "male")),
        key="gender_top",
        filter_field="speakers",
    )

st.subheader("Speakers and the evidence for their gender")
ui.query_table(view, queries.speaker_genders, (), "speaker genders", key="gender_table")
st.caption("Wrong? Correct a speaker's gender at the bottom of the Speakers and quotes page.")
