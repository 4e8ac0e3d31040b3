"""The analysts' dashboard (Streamlit). It reads only through the Kizashi API."""
