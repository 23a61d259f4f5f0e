"""IR utilities below the dialect: functions and symbols, and attribute codecs (Shardy)."""
