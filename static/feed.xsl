<?xml version="1.0" encoding="UTF-8"?>
<!-- Shows an Atom or RSS feed as a page, for clients that fetch the feed as XML and run its
     stylesheet: what the feed is, how to follow it, and its alerts. Browsers navigating to a
     feed get an HTML page from the server instead (templates/pages/feed.html); feed readers
     ignore this. XSLT 1.0, as browsers run it. -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:atom="http://www.w3.org/2005/Atom"
    exclude-result-prefixes="atom">
<xsl:output method="html" encoding="UTF-8" indent="yes" doctype-system="about:legacy-compat"/>

<xsl:variable name="title" select="/atom:feed/atom:title | /rss/channel/title"/>
<xsl:variable name="self" select="/atom:feed/atom:link[@rel='self']/@href | /rss/channel/atom:link[@rel='self']/@href"/>
<xsl:variable name="count" select="count(/atom:feed/atom:entry | /rss/channel/item)"/>

<xsl:template match="/">
<html lang="en-GB">
<head>
<meta charset="utf-8"/>
<meta name="viewport" content="width=device-width, initial-scale=1"/>
<title><xsl:value-of select="$title"/> (feed) – Community safety alerts</title>
<link rel="stylesheet" href="/static/style.css"/>
</head>
<body>
<a class="skip-link" href="#main">Skip to main content</a>
<header class="site"><a href="/">Community safety alerts</a></header>
<main id="main">
<p class="meta">Feed</p>
<h1><xsl:value-of select="$title"/></h1>

<div class="panel">
<h2>What is a feed?</h2>
<p>This page is a feed: a list of our alerts that a feed reader app checks for you, so new alerts appear in the app without signing up or giving your email address.</p>
<h3>How to use it</h3>
<ol>
<li>Open a feed reader (for example Feedly, Inoreader, NetNewsWire or the reader built into Outlook or Thunderbird).</li>
<li>Choose “add a feed” or “subscribe”, and paste this address:
<p><code class="feed-address"><xsl:value-of select="$self"/></code></p></li>
<li>New alerts for this area then appear in your reader.</li>
</ol>
<p>Prefer email? <a href="/">Get these alerts by email</a> instead.</p>
</div>

<h2>Latest alerts</h2>
<xsl:choose>
<xsl:when test="$count = 0">
<p class="no-alerts">No alerts yet. New alerts will appear here and in your feed reader when we publish them.</p>
</xsl:when>
<xsl:otherwise>
<ul class="feed-entries">
<xsl:apply-templates select="/atom:feed/atom:entry | /rss/channel/item"/>
</ul>
</xsl:otherwise>
</xsl:choose>
</main>
<footer class="site">
<p>In an emergency call 999. For non-emergencies call 101.</p>
</footer>
</body>
</html>
</xsl:template>

<xsl:template match="atom:entry">
<li>
<h3><a href="{atom:link[@rel='alternate']/@href}"><xsl:value-of select="atom:title"/></a></h3>
<p class="meta">Published <xsl:call-template name="iso-date"><xsl:with-param name="t" select="atom:published | atom:updated[not(../atom:published)]"/></xsl:call-template></p>
<p><xsl:value-of select="atom:summary"/></p>
</li>
</xsl:template>

<xsl:template match="item">
<li>
<h3><a href="{link}"><xsl:value-of select="title"/></a></h3>
<!-- "Sun, 01 Mar 2026 12:00:00 +0000": the day and date, without the time. -->
<p class="meta">Published <xsl:value-of select="substring(pubDate, 6, 11)"/></p>
<p><xsl:value-of select="description"/></p>
</li>
</xsl:template>

<!-- "2026-03-01T12:00:00+00:00" as "1 March 2026". -->
<xsl:template name="iso-date">
<xsl:param name="t"/>
<xsl:variable name="m" select="number(substring($t, 6, 2))"/>
<xsl:value-of select="number(substring($t, 9, 2))"/>
<xsl:text> </xsl:text>
<xsl:choose>
<xsl:when test="$m = 1">January</xsl:when>
<xsl:when test="$m = 2">February</xsl:when>
<xsl:when test="$m = 3">March</xsl:when>
<xsl:when test="$m = 4">April</xsl:when>
<xsl:when test="$m = 5">May</xsl:when>
<xsl:when test="$m = 6">June</xsl:when>
<xsl:when test="$m = 7">July</xsl:when>
<xsl:when test="$m = 8">August</xsl:when>
<xsl:when test="$m = 9">September</xsl:when>
<xsl:when test="$m = 10">October</xsl:when>
<xsl:when test="$m = 11">November</xsl:when>
<xsl:when test="$m = 12">December</xsl:when>
</xsl:choose>
<xsl:text> </xsl:text>
<xsl:value-of select="substring($t, 1, 4)"/>
</xsl:template>

</xsl:stylesheet>
