"use strict";(()=>{var Rn=Object.defineProperty;var Ln=(e,n,r)=>n in e?Rn(e,n,{enumerable:!0,configurable:!0,writable:!0,value:r}):e[n]=r;var ce=(e,n,r)=>Ln(e,typeof n!="symbol"?n+"":n,r);var Me,N,lt,Fn,ne,it,ut,ct,Re,_e,ge,dt,Oe,Le,Fe,On,Se={},ke=[],Nn=/acit|ex(?:s|g|n|p|$)|rph|grid|ows|mnc|ntw|ine[ch]|zoo|^ord|itera/i,Ce=Array.isArray;function te(e,n){for(var r in n)e[r]=n[r];return e}function Ne(e){e&&e.parentNode&&e.parentNode.removeChild(e)}function Pn(e,n,r){var a,l,i,m={};for(i in n)i=="key"?a=n[i]:i=="ref"?l=n[i]:m[i]=n[i];if(arguments.length>2&&(m.children=arguments.length>3?Me.call(arguments,2):r),typeof e=="function"&&e.defaultProps!=null)for(i in e.defaultProps)m[i]===void 0&&(m[i]=e.defaultProps[i]);return xe(e,m,a,l,null)}function xe(e,n,r,a,l){var i={type:e,props:n,key:r,ref:a,__k:null,__:null,__b:0,__e:null,__c:null,constructor:void 0,__v:l??++lt,__i:-1,__u:0};return l==null&&N.vnode!=null&&N.vnode(i),i}function z(e){return e.children}function Ae(e,n){this.props=e,this.context=n}function ie(e,n){if(n==null)return e.__?ie(e.__,e.__i+1):null;for(var r;n<e.__k.length;n++)if((r=e.__k[n])!=null&&r.__e!=null)return r.__e;return typeof e.type=="function"?ie(e):null}function Vn(e){if(e.__P&&e.__d){var n=e.__v,r=n.__e,a=[],l=[],i=te({},n);i.__v=n.__v+1,N.vnode&&N.vnode(i),Pe(e.__P,i,n,e.__n,e.__P.namespaceURI,32&n.__u?[r]:null,a,r??ie(n),!!(32&n.__u),l),i.__v=n.__v,i.__.__k[i.__i]=i,yt(a,i,l),n.__e=n.__=null,i.__e!=r&&pt(i)}}function pt(e){if((e=e.__)!=null&&e.__c!=null)return e.__e=e.__c.base=null,e.__k.some(function(n){if(n!=null&&n.__e!=null)return e.__e=e.__c.base=n.__e}),pt(e)}function at(e){(!e.__d&&(e.__d=!0)&&ne.push(e)&&!Te.__r++||it!=N.debounceRendering)&&((it=N.debounceRendering)||ut)(Te)}function Te(){try{for(var e,n=1;ne.length;)ne.length>n&&ne.sort(ct),e=ne.shift(),n=ne.length,Vn(e)}finally{ne.length=Te.__r=0}}function mt(e,n,r,a,l,i,m,c,s,u,g){var d,o,f,b,v,p,h=a&&a.__k||ke,_=n.length;for(s=Hn(r,n,h,s,_),d=0;d<_;d++)(f=r.__k[d])!=null&&(o=f.__i!=-1&&h[f.__i]||Se,f.__i=d,p=Pe(e,f,o,l,i,m,c,s,u,g),b=f.__e,f.ref&&o.ref!=f.ref&&(o.ref&&Ve(o.ref,null,f),g.push(f.ref,f.__c||b,f)),v==null&&b!=null&&(v=b),4&f.__u?(s=gt(f,s,e),o.__e&&(o.__e=null)):typeof f.type=="function"&&p!==void 0?s=p:b&&(s=b.nextSibling),f.__u&=-7);return r.__e=v,s}function Hn(e,n,r,a,l){var i,m,c,s,u,g=r.length,d=g,o=0;for(e.__k=new Array(l),i=0;i<l;i++)(m=n[i])!=null&&typeof m!="boolean"&&typeof m!="function"?(typeof m=="string"||typeof m=="number"||typeof m=="bigint"||m.constructor==String?m=e.__k[i]=xe(null,m,null,null,null):Ce(m)?m=e.__k[i]=xe(z,{children:m},null,null,null):m.constructor===void 0&&m.__b>0?m=e.__k[i]=xe(m.type,m.props,m.key,m.ref?m.ref:null,m.__v):e.__k[i]=m,s=i+o,m.__=e,m.__b=e.__b+1,c=null,(u=m.__i=Un(m,r,s,d))!=-1&&(d--,(c=r[u])&&(c.__u|=2)),c==null||c.__v==null?(u==-1&&(l>g?o--:l<g&&o++),typeof m.type!="function"&&(m.__u|=4)):u!=s&&(u==s-1?o--:u==s+1?o++:(u>s?o--:o++,m.__u|=4))):e.__k[i]=null;if(d)for(i=0;i<g;i++)(c=r[i])!=null&&(2&c.__u)==0&&(c.__e==a&&(a=ie(c)),ht(c,c));return a}function gt(e,n,r){var a,l;if(typeof e.type=="function"){for(a=e.__k,l=0;a&&l<a.length;l++)a[l]&&(a[l].__=e,n=gt(a[l],n,r));return n}e.__e!=n&&(n&&e.type&&!n.parentNode&&(n=ie(e)),n=r.insertBefore(e.__e,n||null));do n=n&&n.nextSibling;while(n!=null&&n.nodeType==8);return n}function Un(e,n,r,a){var l,i,m,c=e.key,s=e.type,u=n[r],g=u!=null&&(2&u.__u)==0;if(u===null&&c==null||g&&c==u.key&&s==u.type)return r;if(a>(g?1:0)){for(l=r-1,i=r+1;l>=0||i<n.length;)if((u=n[m=l>=0?l--:i++])!=null&&(2&u.__u)==0&&c==u.key&&s==u.type)return m}return-1}function ot(e,n,r){n[0]=="-"?e.setProperty(n,r??""):e[n]=r==null?"":typeof r!="number"||Nn.test(n)?r:r+"px"}function we(e,n,r,a,l){var i,m;e:if(n=="style")if(typeof r=="string")e.style.cssText=r;else{if(typeof a=="string"&&(e.style.cssText=a=""),a)for(n in a)r&&n in r||ot(e.style,n,"");if(r)for(n in r)a&&r[n]==a[n]||ot(e.style,n,r[n])}else if(n[0]=="o"&&n[1]=="n")i=n!=(n=n.replace(dt,"$1")),m=n.toLowerCase(),n=m in e||n=="onFocusOut"||n=="onFocusIn"?m.slice(2):n.slice(2),e.l||(e.l={}),e.l[n+i]=r,r?a?r[ge]=a[ge]:(r[ge]=Oe,e.addEventListener(n,i?Fe:Le,i)):e.removeEventListener(n,i?Fe:Le,i);else{if(l=="http://www.w3.org/2000/svg")n=n.replace(/xlink(H|:h)/,"h").replace(/sName$/,"s");else if(n!="width"&&n!="height"&&n!="href"&&n!="list"&&n!="form"&&n!="tabIndex"&&n!="download"&&n!="rowSpan"&&n!="colSpan"&&n!="role"&&n!="popover"&&n in e)try{e[n]=r??"";break e}catch{}typeof r=="function"||(r==null||r===!1&&n[4]!="-"?e.removeAttribute(n):e.setAttribute(n,n=="popover"&&r==1?"":r))}}function st(e){return function(n){if(this.l){var r=this.l[n.type+e];if(n[_e]==null)n[_e]=Oe++;else if(n[_e]<r[ge])return;return r(N.event?N.event(n):n)}}}function Pe(e,n,r,a,l,i,m,c,s,u){var g,d,o,f,b,v,p,h,_,S,q,P,V,E,F,y,x=n.type;if(n.constructor!==void 0)return null;128&r.__u&&(s=!!(32&r.__u),i=[c=n.__e=r.__e]),(g=N.__b)&&g(n);e:if(typeof x=="function"){d=m.length;try{if(_=n.props,S=x.prototype&&x.prototype.render,q=(g=x.contextType)&&a[g.__c],P=g?q?q.props.value:g.__:a,r.__c?h=(o=n.__c=r.__c).__=o.__E:(S?n.__c=o=new x(_,P):(n.__c=o=new Ae(_,P),o.constructor=x,o.render=Wn),q&&q.sub(o),o.state||(o.state={}),o.__n=a,f=o.__d=!0,o.__h=[],o._sb=[]),S&&o.__s==null&&(o.__s=o.state),S&&x.getDerivedStateFromProps!=null&&(o.__s==o.state&&(o.__s=te({},o.__s)),te(o.__s,x.getDerivedStateFromProps(_,o.__s))),b=o.props,v=o.state,o.__v=n,f)S&&x.getDerivedStateFromProps==null&&o.componentWillMount!=null&&o.componentWillMount(),S&&o.componentDidMount!=null&&o.__h.push(o.componentDidMount);else{if(S&&x.getDerivedStateFromProps==null&&_!==b&&o.componentWillReceiveProps!=null&&o.componentWillReceiveProps(_,P),n.__v==r.__v||!o.__e&&o.shouldComponentUpdate!=null&&o.shouldComponentUpdate(_,o.__s,P)===!1){n.__v!=r.__v&&(o.props=_,o.state=o.__s,o.__d=!1),n.__e=r.__e,n.__k=r.__k,n.__k.some(function(D){D&&(D.__=n)}),ke.push.apply(o.__h,o._sb),o._sb=[],o.__h.length&&m.push(o),c=ie(r);break e}o.componentWillUpdate!=null&&o.componentWillUpdate(_,o.__s,P),S&&o.componentDidUpdate!=null&&o.__h.push(function(){o.componentDidUpdate(b,v,p)})}if(o.context=P,o.props=_,o.__P=e,o.__e=!1,V=N.__r,E=0,S)o.state=o.__s,o.__d=!1,V&&V(n),g=o.render(o.props,o.state,o.context),ke.push.apply(o.__h,o._sb),o._sb=[];else do o.__d=!1,V&&V(n),g=o.render(o.props,o.state,o.context),o.state=o.__s;while(o.__d&&++E<25);o.state=o.__s,o.getChildContext!=null&&(a=te(te({},a),o.getChildContext())),S&&!f&&o.getSnapshotBeforeUpdate!=null&&(p=o.getSnapshotBeforeUpdate(b,v)),F=g!=null&&g.type===z&&g.key==null?bt(g.props.children):g,c=mt(e,Ce(F)?F:[F],n,r,a,l,i,m,c,s,u),o.base=n.__e,n.__u&=-161,o.__h.length&&m.push(o),h&&(o.__E=o.__=null)}catch(D){if(m.length=d,n.__v=null,s||i!=null){if(D.then){for(n.__u|=s?160:128;c&&c.nodeType==8&&c.nextSibling;)c=c.nextSibling;i!=null&&(i[i.indexOf(c)]=null),n.__e=c}else if(i!=null)for(y=i.length;y--;)Ne(i[y])}else n.__e=r.__e;n.__k==null&&(n.__k=r.__k||[]),D.then||ft(n),N.__e(D,n,r)}}else i==null&&n.__v==r.__v?(n.__k=r.__k,n.__e=r.__e):c=n.__e=qn(r.__e,n,r,a,l,i,m,s,u);return(g=N.diffed)&&g(n),128&n.__u?void 0:c}function ft(e){e&&(e.__c&&(e.__c.__e=!0),e.__k&&e.__k.some(ft))}function yt(e,n,r){for(var a=0;a<r.length;a++)Ve(r[a],r[++a],r[++a]);N.__c&&N.__c(n,e),e.some(function(l){try{e=l.__h,l.__h=[],e.some(function(i){i.call(l)})}catch(i){N.__e(i,l.__v)}})}function bt(e){return typeof e!="object"||e==null||e.__b>0?e:Ce(e)?e.map(bt):e.constructor!==void 0?null:te({},e)}function qn(e,n,r,a,l,i,m,c,s){var u,g,d,o,f,b,v,p=r.props||Se,h=n.props,_=n.type;if(_=="svg"?l="http://www.w3.org/2000/svg":_=="math"?l="http://www.w3.org/1998/Math/MathML":l||(l="http://www.w3.org/1999/xhtml"),i!=null){for(u=0;u<i.length;u++)if((f=i[u])&&"setAttribute"in f==!!_&&(_?f.localName==_:f.nodeType==3)){e=f,i[u]=null;break}}if(e==null){if(_==null)return document.createTextNode(h);e=document.createElementNS(l,_,h.is&&h),c&&(N.__m&&N.__m(n,i),c=!1),i=null}if(_==null)p===h||c&&e.data==h||(e.data=h);else{if(i=_=="textarea"&&h.defaultValue!=null?null:i&&Me.call(e.childNodes),!c&&i!=null)for(p={},u=0;u<e.attributes.length;u++)p[(f=e.attributes[u]).name]=f.value;for(u in p)f=p[u],u=="dangerouslySetInnerHTML"?d=f:u=="children"||u in h||u=="value"&&"defaultValue"in h||u=="checked"&&"defaultChecked"in h||we(e,u,null,f,l);for(u in h)f=h[u],u=="children"?o=f:u=="dangerouslySetInnerHTML"?g=f:u=="value"?b=f:u=="checked"?v=f:c&&typeof f!="function"||p[u]===f||we(e,u,f,p[u],l);if(g)c||d&&(g.__html==d.__html||g.__html==e.innerHTML)||(e.innerHTML=g.__html),n.__k=[];else if(d&&(e.innerHTML=""),mt(n.type=="template"?e.content:e,Ce(o)?o:[o],n,r,a,_=="foreignObject"?"http://www.w3.org/1999/xhtml":l,i,m,i?i[0]:r.__k&&ie(r,0),c,s),i!=null)for(u=i.length;u--;)Ne(i[u]);c&&_!="textarea"||(u="value",_=="progress"&&b==null?e.removeAttribute("value"):b!=null&&(b!==e[u]||_=="progress"&&!b||_=="option"&&b!=p[u])&&we(e,u,b,p[u],l),u="checked",v!=null&&v!=e[u]&&we(e,u,v,p[u],l))}return e}function Ve(e,n,r){try{if(typeof e=="function"){var a=typeof e.__u=="function";a&&e.__u(),a&&n==null||(e.__u=e(n))}else e.current=n}catch(l){N.__e(l,r)}}function ht(e,n,r){var a,l;if(N.unmount&&N.unmount(e),(a=e.ref)&&(a.current&&a.current!=e.__e||Ve(a,null,n)),(a=e.__c)!=null){if(a.componentWillUnmount)try{a.componentWillUnmount()}catch(i){N.__e(i,n)}a.base=a.__P=a.__n=null}if(a=e.__k)for(l=0;l<a.length;l++)a[l]&&ht(a[l],n,r||typeof e.type!="function");r||Ne(e.__e),e.__c=e.__=e.__e=void 0}function Wn(e,n,r){return this.constructor(e,r)}function vt(e,n,r){var a,l,i,m;n==document&&(n=document.documentElement),N.__&&N.__(e,n),l=(a=typeof r=="function")?null:r&&r.__k||n.__k,i=[],m=[],Pe(n,e=(!a&&r||n).__k=Pn(z,null,[e]),l||Se,Se,n.namespaceURI,!a&&r?[r]:l?null:n.firstChild?Me.call(n.childNodes):null,i,!a&&r?r:l?l.__e:n.firstChild,a,m),yt(i,e,m),e.props.children=null}Me=ke.slice,N={__e:function(e,n,r,a){for(var l,i,m;n=n.__;)if((l=n.__c)&&!l.__)try{if((i=l.constructor)&&i.getDerivedStateFromError!=null&&(l.setState(i.getDerivedStateFromError(e)),m=l.__d),l.componentDidCatch!=null&&(l.componentDidCatch(e,a||{}),m=l.__d),m)return l.__E=l}catch(c){e=c}throw e}},lt=0,Fn=function(e){return e!=null&&e.constructor===void 0},Ae.prototype.setState=function(e,n){var r;r=this.__s!=null&&this.__s!=this.state?this.__s:this.__s=te({},this.state),typeof e=="function"&&(e=e(te({},r),this.props)),e&&te(r,e),e!=null&&this.__v&&(n&&this._sb.push(n),at(this))},Ae.prototype.forceUpdate=function(e){this.__v&&(this.__e=!0,e&&this.__h.push(e),at(this))},Ae.prototype.render=z,ne=[],ut=typeof Promise=="function"?Promise.prototype.then.bind(Promise.resolve()):setTimeout,ct=function(e,n){return e.__v.__b-n.__v.__b},Te.__r=0,Re=Math.random().toString(8),_e="__d"+Re,ge="__a"+Re,dt=/(PointerCapture)$|Capture$/i,Oe=0,Le=st(!1),Fe=st(!0),On=0;var de,H,He,wt,fe=0,Ct=[],U=N,_t=U.__b,xt=U.__r,At=U.diffed,St=U.__c,kt=U.unmount,Tt=U.__;function Ee(e,n){U.__h&&U.__h(H,e,fe||n),fe=0;var r=H.__H||(H.__H={__:[],__h:[]});return e>=r.__.length&&r.__.push({}),r.__[e]}function A(e){return fe=1,Bn(It,e)}function Bn(e,n,r){var a=Ee(de++,2);if(a.t=e,!a.__c&&(a.__=[r?r(n):It(void 0,n),function(c){var s=a.__N?a.__N[0]:a.__[0],u=a.t(s,c);s!==u&&(a.__N=[u,a.__[1]],a.__c.setState({}))}],a.__c=H,!H.__f)){var l=function(c,s,u){if(!a.__c.__H)return!0;var g=!1,d=a.__c.props!==c;if(a.__c.__H.__.some(function(f){if(f.__N){g=!0;var b=f.__[0];f.__=f.__N,f.__N=void 0,b!==f.__[0]&&(d=!0)}}),i){var o=i.call(this,c,s,u);return g?o||d:o}return!g||d};H.__f=!0;var i=H.shouldComponentUpdate,m=H.componentWillUpdate;H.componentWillUpdate=function(c,s,u){if(this.__e){var g=i;i=void 0,l(c,s,u),i=g}m&&m.call(this,c,s,u)},H.shouldComponentUpdate=l}return a.__N||a.__}function L(e,n){var r=Ee(de++,3);!U.__s&&qe(r.__H,n)&&(r.__=e,r.u=n,H.__H.__h.push(r))}function Dt(e,n){var r=Ee(de++,4);!U.__s&&qe(r.__H,n)&&(r.__=e,r.u=n,H.__h.push(r))}function K(e){return fe=5,Et(function(){return{current:e}},[])}function Et(e,n){var r=Ee(de++,7);return qe(r.__H,n)&&(r.__=e(),r.__H=n,r.__h=e),r.__}function ae(e,n){return fe=8,Et(function(){return e},n)}function zn(){for(var e;e=Ct.shift();){var n=e.__H;if(e.__P&&n)try{n.__h.some(De),n.__h.some(Ue),n.__h=[]}catch(r){n.__h=[],U.__e(r,e.__v)}}}U.__b=function(e){H=null,_t&&_t(e)},U.__=function(e,n){e&&n.__k&&n.__k.__m&&(e.__m=n.__k.__m),Tt&&Tt(e,n)},U.__r=function(e){xt&&xt(e),de=0;var n=(H=e.__c).__H;n&&(He===H?(n.__h=[],H.__h=[],n.__.some(function(r){r.__N&&(r.__=r.__N),r.u=r.__N=void 0})):(n.__h.some(De),n.__h.some(Ue),n.__h=[],de=0)),He=H},U.diffed=function(e){At&&At(e);var n=e.__c;n&&n.__H&&(n.__H.__h.length&&(Ct.push(n)!==1&&wt===U.requestAnimationFrame||((wt=U.requestAnimationFrame)||Qn)(zn)),n.__H.__.some(function(r){r.u&&(r.__H=r.u,r.u=void 0)})),He=H=null},U.__c=function(e,n){n.some(function(r){try{r.__h.some(De),r.__h=r.__h.filter(function(a){return!a.__||Ue(a)})}catch(a){n.some(function(l){l.__h&&(l.__h=[])}),n=[],U.__e(a,r.__v)}}),St&&St(e,n)},U.unmount=function(e){kt&&kt(e);var n,r=e.__c;r&&r.__H&&(r.__H.__.some(function(a){try{De(a)}catch(l){n=l}}),r.__H=void 0,n&&U.__e(n,r.__v))};var Mt=typeof requestAnimationFrame=="function";function Qn(e){var n,r=function(){clearTimeout(a),Mt&&cancelAnimationFrame(n),setTimeout(e)},a=setTimeout(r,35);Mt&&(n=requestAnimationFrame(r))}function De(e){var n=H,r=e.__c;typeof r=="function"&&(e.__c=void 0,r()),H=n}function Ue(e){var n=H;e.__c=e.__(),H=n}function qe(e,n){return!e||e.length!==n.length||n.some(function(r,a){return r!==e[a]})}function It(e,n){return typeof n=="function"?n(e):n}function j(e,n,...r){let a=document.createElement(e);if(n)for(let[l,i]of Object.entries(n))i==null||i===!1||(l==="text"?a.textContent=i:l.startsWith("on")&&typeof i=="function"?a.addEventListener(l.slice(2),i):a.setAttribute(l,i===!0?"":String(i)));return $t(a,r),a}function $t(e,n){for(let r of n)r==null||r===!1||(Array.isArray(r)?$t(e,r):e.append(r))}function We(e,n){if(typeof e!="string"||e.trim()==="")return null;try{let r=new URL(e.trim(),n);return r.protocol==="https:"||r.protocol==="http:"||r.protocol==="mailto:"?r.href:null}catch{return null}}function Be(e,n,r,...a){let l=We(e,n);return l?j("a",{...r,href:l,target:"_blank",rel:"noopener noreferrer nofollow"},...a):j("span",r&&r.class?{class:r.class}:null,...a)}var Kn=4;function Rt(e,n,r){let a=document.createDocumentFragment(),l=String(e??"").replace(/\r\n?/g,`
`).split(`
`),i={sources:Array.isArray(n)?n:[],base:r},m=[],c=null,s=()=>{if(m.length===0)return;let g=j("p");m.forEach((d,o)=>{o>0&&g.append(j("br")),oe(g,d,i,0)}),a.append(g),m=[]},u=()=>{c&&a.append(c.el),c=null};for(let g=0;g<l.length;g++){let d=l[g];if(/^\s*```/.test(d)){s(),u();let v=[];for(g++;g<l.length&&!/^\s*```/.test(l[g]);g++)v.push(l[g]);a.append(j("pre",null,j("code",{text:v.join(`
`)})));continue}if(d.trim()===""){s(),u();continue}let o=/^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(d);if(o){s(),u();let v=j("p",{class:"hp-md-h"});oe(v,o[1],i,0),a.append(v);continue}let f=/^\s*(\d{1,9})[.)]\s+(.*)$/.exec(d),b=/^\s*[-*+]\s+(.*)$/.exec(d);if(f||b){s();let v=f?"ol":"ul";(!c||c.kind!==v)&&(u(),c={kind:v,el:j(v)},f&&f[1]!=="1"&&c.el.setAttribute("start",String(Number(f[1]))));let p=j("li");oe(p,f?f[2]:b[1],i,0),c.el.append(p);continue}if(c&&/^\s{2,}\S/.test(d)){let v=c.el.lastChild;v.append(" "),oe(v,d.trim(),i,0);continue}u(),m.push(d.trim())}return s(),u(),a}var Gn=/`([^`\n]+)`|\*\*(.+?)\*\*|\*([^*\s](?:[^*]*[^*\s])?)\*|\[([^\]\n]+)\]\(\s*([^)\s]+)\s*\)|\[(\d{1,3})\]/g;function oe(e,n,r,a){if(a>Kn){e.append(n);return}let l=0;for(let i of n.matchAll(Gn)){i.index>l&&e.append(n.slice(l,i.index)),l=i.index+i[0].length;let[,m,c,s,u,g,d]=i;if(m!==void 0)e.append(j("code",{text:m}));else if(c!==void 0){let o=j("strong");oe(o,c,r,a+1),e.append(o)}else if(s!==void 0){let o=j("em");oe(o,s,r,a+1),e.append(o)}else if(u!==void 0){let o=Be(g,r.base,null);oe(o,u,r,a+1),e.append(o)}else e.append(jn(Number(d),r))}l<n.length&&e.append(n.slice(l))}function jn(e,n){let r=n.sources[e-1],a=`[${e}]`;if(!r)return a;let l=typeof r.title=="string"?r.title:"",i={class:"hp-cite","aria-label":`Source ${e}: ${l}`,title:l},m=We(r.url,n.base)?Be(r.url,n.base,i,a):j("span",i,a);return j("sup",null,m)}function J(e){return e===null?"null":Array.isArray(e)?"array":typeof e}function re(e){return J(e)==="object"}function Jn(e){return Array.isArray(e)&&e.length>0&&e.every(n=>"message"in n)}function ze(e,n){return e.length<124?e:n}var Lt="graphql-transport-ws";var Y=(e=>(e[e.InternalServerError=4500]="InternalServerError",e[e.InternalClientError=4005]="InternalClientError",e[e.BadRequest=4400]="BadRequest",e[e.BadResponse=4004]="BadResponse",e[e.Unauthorized=4401]="Unauthorized",e[e.Forbidden=4403]="Forbidden",e[e.SubprotocolNotAcceptable=4406]="SubprotocolNotAcceptable",e[e.ConnectionInitialisationTimeout=4408]="ConnectionInitialisationTimeout",e[e.ConnectionAcknowledgementTimeout=4504]="ConnectionAcknowledgementTimeout",e[e.SubscriberAlreadyExists=4409]="SubscriberAlreadyExists",e[e.TooManyInitialisationRequests=4429]="TooManyInitialisationRequests",e))(Y||{}),X=(e=>(e.ConnectionInit="connection_init",e.ConnectionAck="connection_ack",e.Ping="ping",e.Pong="pong",e.Subscribe="subscribe",e.Next="next",e.Error="error",e.Complete="complete",e))(X||{});function Ft(e){if(!re(e))throw new Error(`Message is expected to be an object, but got ${J(e)}`);if(!e.type)throw new Error("Message is missing the 'type' property");if(typeof e.type!="string")throw new Error(`Message is expects the 'type' property to be a string, but got ${J(e.type)}`);switch(e.type){case"connection_init":case"connection_ack":case"ping":case"pong":{if(e.payload!=null&&!re(e.payload))throw new Error(`"${e.type}" message expects the 'payload' property to be an object or nullish or missing, but got "${e.payload}"`);break}case"subscribe":{if(typeof e.id!="string")throw new Error(`"${e.type}" message expects the 'id' property to be a string, but got ${J(e.id)}`);if(!e.id)throw new Error(`"${e.type}" message requires a non-empty 'id' property`);if(!re(e.payload))throw new Error(`"${e.type}" message expects the 'payload' property to be an object, but got ${J(e.payload)}`);if(typeof e.payload.query!="string")throw new Error(`"${e.type}" message payload expects the 'query' property to be a string, but got ${J(e.payload.query)}`);if(e.payload.variables!=null&&!re(e.payload.variables))throw new Error(`"${e.type}" message payload expects the 'variables' property to be a an object or nullish or missing, but got ${J(e.payload.variables)}`);if(e.payload.operationName!=null&&J(e.payload.operationName)!=="string")throw new Error(`"${e.type}" message payload expects the 'operationName' property to be a string or nullish or missing, but got ${J(e.payload.operationName)}`);if(e.payload.extensions!=null&&!re(e.payload.extensions))throw new Error(`"${e.type}" message payload expects the 'extensions' property to be a an object or nullish or missing, but got ${J(e.payload.extensions)}`);break}case"next":{if(typeof e.id!="string")throw new Error(`"${e.type}" message expects the 'id' property to be a string, but got ${J(e.id)}`);if(!e.id)throw new Error(`"${e.type}" message requires a non-empty 'id' property`);if(!re(e.payload))throw new Error(`"${e.type}" message expects the 'payload' property to be an object, but got ${J(e.payload)}`);break}case"error":{if(typeof e.id!="string")throw new Error(`"${e.type}" message expects the 'id' property to be a string, but got ${J(e.id)}`);if(!e.id)throw new Error(`"${e.type}" message requires a non-empty 'id' property`);if(!Jn(e.payload))throw new Error(`"${e.type}" message expects the 'payload' property to be an array of GraphQL errors, but got ${JSON.stringify(e.payload)}`);break}case"complete":{if(typeof e.id!="string")throw new Error(`"${e.type}" message expects the 'id' property to be a string, but got ${J(e.id)}`);if(!e.id)throw new Error(`"${e.type}" message requires a non-empty 'id' property`);break}default:throw new Error(`Invalid message 'type' property "${e.type}"`)}return e}function Ot(e,n){return Ft(typeof e=="string"?JSON.parse(e,n):e)}function pe(e,n){return Ft(e),JSON.stringify(e,n)}function Ke(e){let{url:n,connectionParams:r,lazy:a=!0,onNonLazyError:l=console.error,lazyCloseTimeout:i=0,keepAlive:m=0,disablePong:c,connectionAckWaitTimeout:s=0,retryAttempts:u=5,retryWait:g=async function(I){let M=Math.pow(2,I);await new Promise($=>setTimeout($,M*1e3+Math.floor(Math.random()*2700+300)))},shouldRetry:d=Qe,on:o,webSocketImpl:f,generateID:b=function(){return"xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx".replace(/[xy]/g,I=>{let M=Math.random()*16|0;return(I=="x"?M:M&3|8).toString(16)})},jsonMessageReplacer:v,jsonMessageReviver:p}=e,h;if(f){if(!Xn(f))throw new Error("Invalid WebSocket implementation provided");h=f}else typeof WebSocket<"u"?h=WebSocket:typeof global<"u"?h=global.WebSocket||global.MozWebSocket:typeof window<"u"&&(h=window.WebSocket||window.MozWebSocket);if(!h)throw new Error("WebSocket implementation missing; on Node you can `import WebSocket from 'ws';` and pass `webSocketImpl: WebSocket` to `createClient`");let _=h,S=(()=>{let k=(()=>{let M={};return{on($,W){return M[$]=W,()=>{delete M[$]}},emit($){"id"in $&&M[$.id]?.($)}}})(),I={connecting:o?.connecting?[o.connecting]:[],opened:o?.opened?[o.opened]:[],connected:o?.connected?[o.connected]:[],ping:o?.ping?[o.ping]:[],pong:o?.pong?[o.pong]:[],message:o?.message?[k.emit,o.message]:[k.emit],closed:o?.closed?[o.closed]:[],error:o?.error?[o.error]:[]};return{onMessage:k.on,on(M,$){let W=I[M];return W.push($),()=>{let B=W.indexOf($);B>-1&&W.splice(B,1)}},emit(M,...$){for(let W of[...I[M]])W(...$)}}})();function q(k){let I=[S.on("error",M=>{I.forEach($=>$()),k(M)}),S.on("closed",M=>{I.forEach($=>$()),k(M)})];return()=>I.forEach(M=>M())}let P,V=0,E,F=!1,y=0,x=!1;async function D(){clearTimeout(E);let[k,I]=await(P??(P=new Promise((W,B)=>(async()=>{if(F){if(await g(y),!V)return P=void 0,B({code:1e3,reason:"All Subscriptions Gone"});y++}S.emit("connecting",F);let R=new _(typeof n=="function"?await n():n,Lt),ee,le;function ve(){isFinite(m)&&m>0&&(clearTimeout(le),le=setTimeout(()=>{R.readyState===_.OPEN&&(R.send(pe({type:X.Ping})),S.emit("ping",!1,void 0))},m))}q(G=>{P=void 0,clearTimeout(ee),clearTimeout(le),B(G),G instanceof ye&&(R.close(4499,"Terminated"),R.onerror=null,R.onclose=null)}),R.onerror=G=>S.emit("error",G),R.onclose=G=>S.emit("closed",G),R.onopen=async()=>{try{S.emit("opened",R);let G=typeof r=="function"?await r():r;if(R.readyState!==_.OPEN)return;R.send(pe(G?{type:X.ConnectionInit,payload:G}:{type:X.ConnectionInit},v)),isFinite(s)&&s>0&&(ee=setTimeout(()=>{R.close(Y.ConnectionAcknowledgementTimeout,"Connection acknowledgement timeout")},s)),ve()}catch(G){S.emit("error",G),R.close(Y.InternalClientError,ze(G instanceof Error?G.message:String(G),"Internal client error"))}};let ue=!1;R.onmessage=({data:G})=>{try{let Q=Ot(G,p);if(S.emit("message",Q),Q.type==="ping"||Q.type==="pong"){S.emit(Q.type,!0,Q.payload),Q.type==="pong"?ve():c||(R.send(pe(Q.payload?{type:X.Pong,payload:Q.payload}:{type:X.Pong},v)),S.emit("pong",!1,Q.payload));return}if(ue)return;if(Q.type!==X.ConnectionAck)throw new Error(`First message cannot be of type ${Q.type}`);clearTimeout(ee),ue=!0,S.emit("connected",R,Q.payload,F),F=!1,y=0;let rt=new Promise((Nr,$n)=>q($n));rt.catch(()=>{}),W([R,rt])}catch(Q){R.onmessage=null,S.emit("error",Q),R.close(Y.BadResponse,ze(Q instanceof Error?Q.message:String(Q),"Bad response"))}}})())));k.readyState===_.CLOSING&&await I;let M=()=>{},$=new Promise(W=>M=W);return[k,M,new Promise((W,B)=>{let R=q(B);k.readyState!==_.OPEN&&I.catch(B),$.then(()=>{if(R(),!V){let ee=()=>k.close(1e3,"Normal Closure");isFinite(i)&&i>0?(clearTimeout(E),E=setTimeout(()=>{!V&&k.readyState===_.OPEN&&ee()},i)):ee()}W()})})]}function w(k){if(Qe(k)&&(Yn(k.code)||[Y.InternalServerError,Y.InternalClientError,Y.BadRequest,Y.BadResponse,Y.Unauthorized,Y.SubprotocolNotAcceptable,Y.SubscriberAlreadyExists,Y.TooManyInitialisationRequests].includes(k.code)))throw k;if(x)return!1;if(Qe(k)&&k.code===1e3)return V>0;if(!u||y>=u||!d(k))throw k;return F=!0}a||(async()=>{for(V++;;)try{let[,,k]=await D();await k}catch(k){try{if(!w(k))return}catch(I){return l?.(I)}}})();function O(k,I){let M=b(k),$=!1,W=!1,B=()=>{V--,$=!0};return(async()=>{for(V++;;)try{let[R,ee,le]=await D();if($)return le.catch(()=>{}),ee();let ve=S.onMessage(M,ue=>{switch(ue.type){case X.Next:{I.next(ue.payload);return}case X.Error:{W=!0,$=!0,I.error(ue.payload),B();return}case X.Complete:{$=!0,B();return}}});R.send(pe({id:M,type:X.Subscribe,payload:k},v)),B=()=>{!$&&R.readyState===_.OPEN&&R.send(pe({id:M,type:X.Complete},v)),V--,$=!0,ee()},await le.finally(ve);return}catch(R){if(!w(R))return}})().then(()=>{W||I.complete()}).catch(R=>{I.error(R)}),()=>{$||B()}}return{on:S.on,subscribe:O,iterate(k){let I=[],M={done:!1,error:null,resolve:()=>{}},$=O(k,{next(B){I.push(B),M.resolve()},error(B){M.done=!0,M.error=B,M.resolve()},complete(){M.done=!0,M.resolve()}}),W=(async function*(){for(;;){for(I.length||await new Promise(R=>M.resolve=R);I.length;)yield I.shift();if(M.error)throw M.error;if(M.done)return}})();return W.throw=async B=>(M.done||(M.done=!0,M.error=B,M.resolve()),{done:!0,value:void 0}),W.return=async()=>($(),{done:!0,value:void 0}),W},async dispose(){if(x=!0,P){let[k]=await P;k.close(1e3,"Normal Closure")}},terminate(){P&&S.emit("closed",new ye)}}}var ye=class extends Error{constructor(){super(...arguments);ce(this,"name","TerminatedCloseEvent");ce(this,"message","4499: Terminated");ce(this,"code",4499);ce(this,"reason","Terminated");ce(this,"wasClean",!1)}};function Qe(e){return re(e)&&"code"in e&&"reason"in e}function Yn(e){return[1e3,1001,1006,1005,1012,1013,1014].includes(e)?!1:e>=1e3&&e<=1999}function Xn(e){return typeof e=="function"&&"constructor"in e&&"CLOSED"in e&&"CLOSING"in e&&"CONNECTING"in e&&"OPEN"in e}var Z=class extends Error{constructor(r,a,l){super(r);this.code=a;this.field=l}};async function C(e,...[n]){let r=await fetch("/graphql",{method:"POST",credentials:"same-origin",headers:{"Content-Type":"application/json","X-Helpium-Session":"cookie"},body:JSON.stringify({query:e.toString(),variables:n??{}})});return Nt(r.status,await r.text().catch(()=>""))}function Ge(e,n,r,a){let l=new FormData;return l.append("operations",JSON.stringify({query:e.toString(),variables:{...n,files:r.map(()=>null)}})),l.append("map",JSON.stringify(Object.fromEntries(r.map((i,m)=>[String(m),[`variables.files.${m}`]])))),r.forEach((i,m)=>l.append(String(m),i,i.name)),new Promise((i,m)=>{let c=new XMLHttpRequest;c.open("POST","/graphql"),c.withCredentials=!0,c.setRequestHeader("X-Helpium-Session","cookie"),a&&c.upload.addEventListener("progress",s=>s.lengthComputable&&s.total>0&&a(s.loaded/s.total)),c.addEventListener("load",()=>{try{i(Nt(c.status,c.responseText))}catch(s){m(s)}}),c.addEventListener("error",()=>m(new Z("Could not reach the server.","unavailable"))),c.send(l)})}function Nt(e,n){let r;try{r=JSON.parse(n)}catch{throw new Z(`The server answered ${e}.`,"unavailable")}if(r.errors?.length){let a=r.errors[0];throw new Z(a.message,a.extensions?.code??"internal",a.extensions?.field)}return r.data}var be=null;function Zn(){if(!be){let e=location.protocol==="https:"?"wss:":"ws:";be=Ke({url:`${e}//${location.host}/graphql?session=cookie`,lazy:!0,retryAttempts:1/0})}return be}function Ie(e,n,r){return Zn().subscribe({query:e.toString(),variables:n},{next:a=>a.data&&r(a.data),error:()=>{},complete:()=>{}})}function Pt(){be?.dispose(),be=null}var T=class extends String{constructor(n,r){super(n),this.value=n,this.__meta__=r}toString(){return this.value}};var Vt=new T(`
    query Me {
  me {
    id
    name
    email
  }
  myWorkspaces {
    role
    workspace {
      id
      name
    }
  }
}
    `),Ht=new T(`
    mutation Login($e: String!, $p: String!) {
  login(email: $e, password: $p) {
    expiresAt
  }
}
    `),Ut=new T(`
    mutation Logout {
  logout
}
    `),qt=new T(`
    subscription ConversationChanged($w: ID!) {
  conversationChanged(workspaceId: $w) {
    change
    conversation {
      id
    }
  }
}
    `),Wt=new T(`
    query Inbox($w: ID!, $f: ConversationFilter, $after: String) {
  conversations(
    workspaceId: $w
    filter: $f
    orderBy: {field: LAST_MESSAGE_AT, direction: DESC}
    first: 50
    after: $after
  ) {
    edges {
      node {
        id
        status
        lastMessageAt
        customer {
          email
          name
        }
        assignee {
          id
          name
        }
        lastMessage {
          body
          author
          internal
          attachments {
            filename
          }
        }
        unreadCount
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
    `),Bt=new T(`
    query Conversation($id: ID!) {
  conversation(id: $id) {
    id
    status
    identityVerified
    assignee {
      id
      name
    }
    customer {
      id
      email
      name
      verified
      conversations(first: 6) {
        edges {
          node {
            id
            status
            lastMessageAt
          }
        }
      }
    }
    messages(last: 100) {
      edges {
        node {
          ...MessageFields
        }
      }
    }
    seenUpTo
    handedOverAt
    csat {
      rating
      comment
      submittedAt
    }
  }
}
    fragment MessageFields on Message {
  id
  author
  body
  internal
  createdAt
  answerId
  authorAgent {
    id
    name
  }
  attachments {
    id
    filename
    contentType
    kind
    size
    inline
    url
  }
}`),zt=new T(`
    subscription MessageAdded($c: ID!) {
  messageAdded(conversationId: $c) {
    ...MessageFields
  }
}
    fragment MessageFields on Message {
  id
  author
  body
  internal
  createdAt
  answerId
  authorAgent {
    id
    name
  }
  attachments {
    id
    filename
    contentType
    kind
    size
    inline
    url
  }
}`),Qt=new T(`
    subscription ConversationActivity($c: ID!) {
  conversationActivity(conversationId: $c) {
    kind
    actor
    agent {
      id
      name
    }
    typing
    expiresAt
    lastReadMessageId
    at
  }
}
    `),je=new T(`
    mutation Reply($c: ID!, $b: String!, $k: String, $files: [Upload!]) {
  replyToConversation(
    input: {conversationId: $c, body: $b, clientMessageId: $k, files: $files}
  ) {
    message {
      ...MessageFields
    }
  }
}
    fragment MessageFields on Message {
  id
  author
  body
  internal
  createdAt
  answerId
  authorAgent {
    id
    name
  }
  attachments {
    id
    filename
    contentType
    kind
    size
    inline
    url
  }
}`),Je=new T(`
    mutation Note($c: ID!, $b: String!, $files: [Upload!]) {
  addInternalNote(input: {conversationId: $c, body: $b, files: $files}) {
    ...MessageFields
  }
}
    fragment MessageFields on Message {
  id
  author
  body
  internal
  createdAt
  answerId
  authorAgent {
    id
    name
  }
  attachments {
    id
    filename
    contentType
    kind
    size
    inline
    url
  }
}`),Kt=new T(`
    mutation MarkRead($c: ID!) {
  markConversationRead(conversationId: $c) {
    id
    unreadCount
  }
}
    `),Gt=new T(`
    mutation SetTyping($c: ID!, $t: Boolean!) {
  setTyping(conversationId: $c, typing: $t)
}
    `),Ye=new T(`
    mutation Assign($c: ID!, $a: ID) {
  assignConversation(conversationId: $c, agentId: $a) {
    id
  }
}
    `),jt=new T(`
    mutation SetStatus($c: ID!, $s: ConversationStatus!) {
  setConversationStatus(conversationId: $c, status: $s) {
    id
  }
}
    `),Jt=new T(`
    query Articles($w: ID!, $f: ArticleFilter) {
  articles(workspaceId: $w, filter: $f, first: 100) {
    edges {
      node {
        ...ArticleFields
      }
    }
  }
}
    fragment ArticleFields on Article {
  id
  title
  body
  status
  tags
  updatedAt
}`),Yt=new T(`
    query Article($id: ID!) {
  article(id: $id) {
    ...ArticleFields
  }
}
    fragment ArticleFields on Article {
  id
  title
  body
  status
  tags
  updatedAt
}`),Xt=new T(`
    mutation CreateArticle($w: ID!, $t: String!, $b: String!) {
  createArticle(input: {workspaceId: $w, title: $t, body: $b}) {
    id
  }
}
    `),Zt=new T(`
    mutation UpdateArticle($id: ID!, $t: String!, $b: String!) {
  updateArticle(id: $id, input: {title: $t, body: $b}) {
    id
  }
}
    `),en=new T(`
    mutation PublishArticle($id: ID!) {
  publishArticle(id: $id) {
    id
  }
}
    `),tn=new T(`
    mutation UnpublishArticle($id: ID!) {
  unpublishArticle(id: $id) {
    id
  }
}
    `),nn=new T(`
    mutation DeleteArticle($id: ID!) {
  deleteArticle(id: $id)
}
    `),rn=new T(`
    query TryIt($q: String!, $w: ID) {
  searchArticles(query: $q, workspaceId: $w) {
    results {
      articleId
      title
      snippet
      score
    }
  }
  answer(query: $q, workspaceId: $w) {
    answered
    answer
    confidence
    sources {
      title
      url
    }
  }
}
    `),an=new T(`
    query Settings($w: ID!) {
  actions(workspaceId: $w) {
    ...ActionFields
  }
  actionCalls(workspaceId: $w, limit: 20) {
    id
    actionName
    caller
    agent {
      id
      name
      email
    }
    statusCode
    durationMs
    error
    createdAt
  }
  workspace(id: $w) {
    id
    widgetKey
    allowedOrigins
    identitySecret
    requireIdentityVerification
    rateLimits {
      customerApiPerMinute
      conversationsPerMinute
      messagesPerMinute
    }
    attachmentLimits {
      maxFileBytes
      maxFilesPerMessage
      maxFilesPerConversation
      allowedKinds
    }
    businessHours {
      enabled
      timezone
      outOfOfficeMessage
      ranges {
        day
        start
        end
      }
      closures {
        date
        reason
      }
    }
    widgetConfig {
      colors {
        primary
        background
        text
      }
      position
      greeting
      launcherText
    }
    awayEmail {
      enabled
      delayMinutes
      resumeUrl
    }
    members {
      role
      agent {
        id
        name
        email
      }
    }
  }
}
    fragment ActionFields on Action {
  id
  name
  description
  method
  urlTemplate
  parameters
  headers {
    name
    value
  }
  requiresCustomerToken
  updatedAt
}`),on=new T(`
    mutation UpdateWidgetSettings($w: ID!, $p: WidgetSettingsPatch!) {
  updateWidgetSettings(workspaceId: $w, patch: $p) {
    id
  }
}
    `),sn=new T(`
    mutation SetAllowedOrigins($w: ID!, $o: [String!]!) {
  setAllowedOrigins(workspaceId: $w, origins: $o) {
    id
  }
}
    `),ln=new T(`
    mutation UpdateBusinessHours($w: ID!, $in: BusinessHoursInput!) {
  updateBusinessHours(workspaceId: $w, input: $in) {
    id
  }
}
    `),un=new T(`
    mutation SetRateLimits($w: ID!, $in: RateLimitsInput!) {
  setRateLimits(workspaceId: $w, input: $in) {
    id
  }
}
    `),cn=new T(`
    mutation SetAttachmentLimits($w: ID!, $in: AttachmentLimitsInput!) {
  setAttachmentLimits(workspaceId: $w, input: $in) {
    id
  }
}
    `),dn=new T(`
    mutation SetAwayEmail($w: ID!, $in: AwayEmailSettingsInput!) {
  setAwayEmail(workspaceId: $w, input: $in) {
    id
  }
}
    `),pn=new T(`
    mutation CreateAction($w: ID!, $in: ActionInput!) {
  createAction(workspaceId: $w, input: $in) {
    id
  }
}
    `),mn=new T(`
    mutation UpdateAction($id: ID!, $in: ActionInput!) {
  updateAction(id: $id, input: $in) {
    id
  }
}
    `),gn=new T(`
    mutation DeleteAction($id: ID!) {
  deleteAction(id: $id)
}
    `),fn=new T(`
    mutation SetIdentityVerification($w: ID!, $r: Boolean!) {
  setIdentityVerification(workspaceId: $w, required: $r) {
    id
  }
}
    `),yn=new T(`
    mutation RotateIdentitySecret($w: ID!) {
  rotateIdentitySecret(workspaceId: $w) {
    id
  }
}
    `),bn=new T(`
    mutation SetAgentRole($w: ID!, $a: ID!, $r: Role!) {
  setAgentRole(workspaceId: $w, agentId: $a, role: $r) {
    role
  }
}
    `),hn=new T(`
    mutation RemoveAgent($w: ID!, $a: ID!) {
  removeAgent(workspaceId: $w, agentId: $a)
}
    `),vn=new T(`
    mutation InviteAgent($w: ID!, $e: String!, $r: Role!) {
  inviteAgent(workspaceId: $w, email: $e, role: $r) {
    invitation {
      id
    }
  }
}
    `),wn=new T(`
    mutation RotateWidgetKey($w: ID!) {
  rotateWidgetKey(workspaceId: $w) {
    id
  }
}
    `),_n=new T(`
    query Stats($w: ID!, $f: Time!, $t: Time!) {
  stats(workspaceId: $w, from: $f, to: $t) {
    opened
    resolved
    openNow
    medianFirstResponseSeconds
    medianResolutionSeconds
    csat {
      ...CSATSummaryFields
    }
    days {
      date
      opened
      resolved
      medianFirstResponseSeconds
      medianResolutionSeconds
      csat {
        ...CSATSummaryFields
      }
    }
  }
}
    fragment CSATSummaryFields on CSATSummary {
  count
  average
  distribution
}`),xn=new T(`
    query ContentGaps($w: ID!, $f: Time!, $t: Time!) {
  contentGaps(workspaceId: $w, from: $f, to: $t) {
    questions
    clusters {
      size
      examples
      articles {
        articleId
        title
        url
        score
      }
    }
    deflection {
      answers
      ledToConversation
      rate
    }
  }
}
    `),An=new T(`
    query NotHelpful($w: ID!, $f: Time, $t: Time) {
  answers(workspaceId: $w, helpful: false, from: $f, to: $t, first: 50) {
    id
    question
    createdAt
    answer {
      answered
      answer
    }
    feedback {
      helpful
      comment
    }
    conversation {
      id
    }
  }
}
    `);var er=0;function t(e,n,r,a,l,i){n||(n={});var m,c,s=n;if("ref"in s)for(c in s={},n)c=="ref"?m=n[c]:s[c]=n[c];var u={type:e,props:s,key:r,ref:m,__k:null,__:null,__b:0,__e:null,__c:null,constructor:void 0,__v:--er,__i:-1,__u:0,__source:l,__self:i};if(typeof e=="function"&&(m=e.defaultProps))for(c in m)s[c]===void 0&&(s[c]=m[c]);return N.vnode&&N.vnode(u),u}function tr(){let[e,n]=A(void 0),[r,a]=A(""),l=ae(()=>{C(Vt).then(i=>n({agent:i.me,workspaces:i.myWorkspaces})).catch(i=>i instanceof Z&&i.code==="unauthenticated"?n(null):a(String(i.message)))},[]);return L(l,[l]),r?t("p",{role:"alert",class:"error",children:r}):e===void 0?t("p",{class:"loading",children:"Loading…"}):e===null?t(nr,{onDone:l}):t(rr,{agent:e.agent,workspaces:e.workspaces,onSignOut:()=>{Pt(),n(null)}})}function nr({onDone:e}){let[n,r]=A(""),[a,l]=A(!1);return t("main",{class:"signin",children:t("form",{onSubmit:async m=>{m.preventDefault();let c=new FormData(m.currentTarget);l(!0),r("");try{await C(Ht,{e:String(c.get("email")),p:String(c.get("password"))}),e()}catch(s){r(s.message),l(!1)}},"aria-labelledby":"signin-title",children:[t("h1",{id:"signin-title",children:"Sign in to Helpium"}),t("label",{children:["Email ",t("input",{name:"email",type:"email",autocomplete:"username",required:!0,autoFocus:!0})]}),t("label",{children:["Password ",t("input",{name:"password",type:"password",autocomplete:"current-password",required:!0})]}),n&&t("p",{role:"alert",class:"error",children:n}),t("button",{type:"submit",disabled:a,children:a?"Signing in…":"Sign in"})]})})}function rr({agent:e,workspaces:n,onSignOut:r}){let[a,l]=A(n[0]?.workspace.id??""),[i,m]=A(null),s=(n.find(E=>E.workspace.id===a)?.role??"AGENT")!=="AGENT",[u,g]=A(["#kb","#reports","#settings"].includes(location.hash)?location.hash.slice(1):"inbox"),d=u==="settings"&&!s?"inbox":u,[o,f]=A(null),b=E=>{f(null),g(E)};L(()=>{history.replaceState(null,"","#"+d)},[d]);let[v,p]=A(!1),[h,_]=A(null),[S,q]=A(null),P=ae(E=>q(F=>({id:E,kind:"READ",n:(F?.n??0)+1})),[]);L(()=>Ie(qt,{w:a},E=>_(F=>({id:E.conversationChanged.conversation.id,kind:E.conversationChanged.change,n:(F?.n??0)+1}))),[a]);let V=async()=>{await C(Ut).catch(()=>{}),r()};return L(()=>{let E=F=>{F.key==="?"&&!nt(F)&&p(y=>!y),F.key==="Escape"&&p(!1)};return addEventListener("keydown",E),()=>removeEventListener("keydown",E)},[]),a?t("div",{class:"shell",children:[t("header",{children:[t("strong",{class:"brand",children:"Helpium"}),n.length>1?t("label",{children:["Workspace"," ",t("select",{value:a,onChange:E=>{l(E.target.value),m(null)},children:n.map(E=>t("option",{value:E.workspace.id,children:E.workspace.name}))})]}):t("span",{children:n[0].workspace.name}),t("nav",{"aria-label":"Sections",children:[t("button",{type:"button",class:"tab","aria-current":u==="inbox"?"page":void 0,onClick:()=>b("inbox"),children:"Inbox"}),t("button",{type:"button",class:"tab","aria-current":u==="kb"?"page":void 0,onClick:()=>b("kb"),children:"Knowledge base"}),t("button",{type:"button",class:"tab","aria-current":u==="reports"?"page":void 0,onClick:()=>b("reports"),children:"Reports"}),s&&t("button",{type:"button",class:"tab","aria-current":d==="settings"?"page":void 0,onClick:()=>b("settings"),children:"Settings"})]}),t("span",{class:"spacer"}),t("button",{type:"button",class:"link",onClick:()=>p(!0),children:"Shortcuts"}),t("span",{class:"who",children:e.name||e.email}),t("button",{type:"button",onClick:V,children:"Sign out"})]}),d==="settings"?t(xr,{workspaceID:a,me:e},a):d==="reports"?t(Sr,{workspaceID:a,admin:s,onOpenArticle:E=>{f(E),g("kb")},onOpenConversation:E=>{m(E),g("inbox")}},a):d==="kb"?t(hr,{workspaceID:a,canEdit:s,initial:o},a):t("div",{class:i?"panes has-open":"panes",children:[t(lr,{workspaceID:a,me:e,open:i,onOpen:m,change:h,read:S}),i?t(cr,{id:i,me:e,change:h,onRead:P,onClose:()=>m(null)},i):t("section",{class:"empty","aria-label":"Conversation",children:t("p",{children:"Select a conversation."})})]}),v&&t(ir,{onClose:()=>p(!1)})]}):t("p",{class:"error",children:"You are not a member of any workspace yet."})}function nt(e){let n=e.target;return n.tagName==="INPUT"||n.tagName==="TEXTAREA"||n.tagName==="SELECT"}function ir({onClose:e}){let n=K(null);return L(()=>n.current?.focus(),[]),t("div",{class:"overlay",role:"dialog","aria-modal":"true","aria-labelledby":"help-title",children:t("div",{class:"dialog",children:[t("h2",{id:"help-title",children:"Keyboard shortcuts"}),t("dl",{children:[t("dt",{children:"j / k"}),t("dd",{children:"Next / previous conversation"}),t("dt",{children:"Enter"}),t("dd",{children:"Open the selected conversation"}),t("dt",{children:"r"}),t("dd",{children:"Write a reply"}),t("dt",{children:"Ctrl+Enter"}),t("dd",{children:"Send the reply"}),t("dt",{children:"?"}),t("dd",{children:"Show or hide this list"}),t("dt",{children:"Esc"}),t("dd",{children:"Close"})]}),t("button",{ref:n,type:"button",onClick:e,children:"Close"})]})})}function et(e,n){let r=K(e?.n??0);L(()=>{e&&e.n>r.current&&(r.current=e.n,n(e))},[e])}var ar=["inbox-data","inbox-rendered"];function or(){ar.forEach(e=>performance.clearMarks(e)),performance.clearMeasures("inbox-render"),performance.mark("inbox-data")}function sr(){requestAnimationFrame(()=>setTimeout(()=>{performance.getEntriesByName("inbox-data","mark").length!==0&&(performance.mark("inbox-rendered"),performance.measure("inbox-render","inbox-data","inbox-rendered"))},0))}function lr({workspaceID:e,me:n,open:r,onOpen:a,change:l,read:i}){let[m,c]=A("OPEN"),[s,u]=A("all"),[g,d]=A(""),[o,f]=A([]),[b,v]=A(null),[p,h]=A(0),[_,S]=A(""),q={...m?{status:[m]}:{},...s==="mine"?{assignee:{me:!0}}:s==="unassigned"?{assignee:{none:!0}}:{},...g.trim()?{text:g.trim()}:{}},P=JSON.stringify(q),V=K(0),E=K(!1),F=ae(y=>{let x=++V.current;C(Wt,{w:e,f:q,after:y}).then(D=>{if(x!==V.current)return;y||(or(),E.current=!0);let w=D.conversations.edges.map(O=>O.node);f(O=>y?[...O,...w]:w),v(D.conversations.pageInfo.hasNextPage?D.conversations.pageInfo.endCursor:null),S("")}).catch(D=>S(D.message))},[e,P]);return L(()=>{let y=setTimeout(()=>F(null),g?250:0);return()=>clearTimeout(y)},[F]),Dt(()=>{E.current&&(E.current=!1,sr())},[o]),et(l,()=>F(null)),et(i,y=>{f(x=>x.map(D=>D.id===y.id?{...D,unreadCount:0}:D)),F(null)}),L(()=>{let y=x=>{if(!(nt(x)||x.ctrlKey||x.metaKey||x.altKey)){if(x.key==="j")h(D=>Math.min(D+1,o.length-1));else if(x.key==="k")h(D=>Math.max(D-1,0));else if(x.key==="Enter"&&o[p])a(o[p].id);else return;x.preventDefault()}};return addEventListener("keydown",y),()=>removeEventListener("keydown",y)}),t("section",{class:"inbox","aria-label":"Inbox",children:[t("div",{class:"filters",children:[t("label",{children:["Status"," ",t("select",{value:m,onChange:y=>c(y.target.value),children:[t("option",{value:"OPEN",children:"Open"}),t("option",{value:"PENDING",children:"Pending"}),t("option",{value:"RESOLVED",children:"Resolved"}),t("option",{value:"CLOSED",children:"Closed"}),t("option",{value:"",children:"All"})]})]}),t("label",{children:["Assignee"," ",t("select",{value:s,onChange:y=>u(y.target.value),children:[t("option",{value:"all",children:"All"}),t("option",{value:"mine",children:"Mine"}),t("option",{value:"unassigned",children:"Unassigned"})]})]}),t("label",{class:"search",children:["Search ",t("input",{type:"search",value:g,onInput:y=>d(y.target.value)})]})]}),_&&t("p",{role:"alert",class:"error",children:_}),t("ul",{class:"list",children:o.map((y,x)=>t("li",{children:t("button",{type:"button",class:[y.id===r&&"open",x===p&&"cursor",y.unreadCount>0&&"unread"].filter(Boolean).join(" "),"aria-current":y.id===r?"true":void 0,onClick:()=>{h(x),a(y.id)},children:[t("span",{class:"row1",children:[t("span",{class:"customer",children:y.customer?.name||y.customer?.email||"Visitor"}),y.unreadCount>0&&t("span",{class:"badge",children:[y.unreadCount,t("span",{class:"visually-hidden",children:" unread"})]}),t("time",{children:se(y.lastMessageAt)})]}),t("span",{class:"preview",children:y.lastMessage?(y.lastMessage.internal?"Note: ":"")+(y.lastMessage.body||y.lastMessage.attachments.map(D=>D.filename).join(", ")):""}),t("span",{class:"meta",children:[y.status.toLowerCase(),y.assignee?` · ${y.assignee.id===n.id?"you":y.assignee.name}`:" · unassigned"]})]})},y.id))}),o.length===0&&!_&&t("p",{class:"none",children:"No conversations."}),b&&t("button",{type:"button",class:"more",onClick:()=>F(b),children:"Load more"})]})}var ur=e=>e.author==="CUSTOMER"?"customer":e.authorAgent?.id??"";function Sn(e,n){for(let r=e.length-1;r>=0;r--)if(n(e[r]))return e[r]}function cr({id:e,me:n,change:r,onRead:a,onClose:l}){let[i,m]=A(null),[c,s]=A([]),[u,g]=A(null),[d,o]=A([]),[f,b]=A(""),v=ae(()=>{C(Bt,{id:e}).then(w=>{m(w.conversation),s(w.conversation.messages.edges.map(O=>O.node)),g(w.conversation.seenUpTo)}).catch(w=>b(w.message))},[e]);L(v,[v]),L(()=>Ie(zt,{c:e},w=>{let O=w.messageAdded;s(k=>k.some(I=>I.id===O.id)?k:[...k,O]),o(k=>k.filter(I=>I.key!==ur(O)))}),[e]),et(r,w=>w.id===e&&v());let p=i!==null,h=Sn(c,w=>w.author==="CUSTOMER")?.id;L(()=>{if(!p)return;let w=()=>C(Kt,{c:e}).then(()=>a(e)).catch(()=>{});if(document.visibilityState==="visible"){w();return}let O=()=>{document.visibilityState==="visible"&&(document.removeEventListener("visibilitychange",O),w())};return document.addEventListener("visibilitychange",O),()=>document.removeEventListener("visibilitychange",O)},[e,p,h]),L(()=>Ie(Qt,{c:e},({conversationActivity:w})=>{if(w.kind==="READ"){w.actor==="CUSTOMER"&&w.lastReadMessageId&&g(w.lastReadMessageId);return}let O=w.actor==="CUSTOMER"?"customer":w.agent?.id;if(!O||O===n.id)return;let k=w.actor==="CUSTOMER"?"Customer":w.agent.name||"An agent",I=w.expiresAt?Date.parse(w.expiresAt)-Date.parse(w.at):6e3;o(M=>[...M.filter($=>$.key!==O),...w.typing?[{key:O,name:k,until:Date.now()+I}]:[]])}),[e,n.id]),L(()=>{if(!d.length)return;let w=Math.min(...d.map(k=>k.until)),O=setTimeout(()=>o(k=>k.filter(I=>I.until>Date.now())),Math.max(0,w-Date.now())+50);return()=>clearTimeout(O)},[d]);let _=K(null);L(()=>{_.current?.lastElementChild?.scrollIntoView({block:"end"})},[c.length]);let S=K(),[q,P]=A(!1),V=w=>!!w.dataTransfer&&[...w.dataTransfer.types].includes("Files"),E=w=>{V(w)&&(w.preventDefault(),w.dataTransfer.dropEffect="copy",P(!0))},F=w=>{V(w)&&(w.preventDefault(),P(!1),S.current?.([...w.dataTransfer.files]))},y=w=>w.then(v).catch(O=>b(O.message));if(!i)return t("section",{class:"conversation","aria-label":"Conversation",children:f?t("p",{role:"alert",class:"error",children:f}):t("p",{class:"loading",children:"Loading…"})});let x=i.status==="RESOLVED"||i.status==="CLOSED",D=Sn(c.slice(0,c.findIndex(w=>w.id===u)+1),w=>w.author==="AGENT"&&!w.internal)?.id;return t("section",{class:i.customer?"conversation with-customer":"conversation","aria-label":"Conversation",children:[t("div",{class:q?"main dragging":"main",onDragEnter:E,onDragOver:E,onDrop:F,onDragLeave:w=>{w.currentTarget.contains(w.relatedTarget)||P(!1)},children:[t("div",{class:"toolbar",children:[t("button",{type:"button",class:"back",onClick:l,children:"Back"}),t("span",{class:`status ${i.status.toLowerCase()}`,children:i.status.toLowerCase()}),t("span",{class:"spacer"}),i.assignee?.id===n.id?t("button",{type:"button",onClick:()=>y(C(Ye,{c:e,a:null})),children:"Unassign"}):t("button",{type:"button",onClick:()=>y(C(Ye,{c:e,a:n.id})),children:"Assign to me"}),t("button",{type:"button",onClick:()=>y(C(jt,{c:e,s:x?"OPEN":"RESOLVED"})),children:x?"Reopen":"Resolve"})]}),f&&t("p",{role:"alert",class:"error",children:f}),t("div",{class:"conv-meta",children:[t("span",{class:"assignee",children:i.assignee?`Assigned to ${i.assignee.id===n.id?"you":i.assignee.name}`:"Unassigned"}),i.handedOverAt&&t("span",{class:"pill ai",title:`The customer asked for a person ${se(i.handedOverAt)}`,children:"Handed over from the AI"}),i.csat&&t(pr,{csat:i.csat})]}),t("ol",{class:"thread",ref:_,"aria-label":"Messages",children:c.map(w=>w.author==="SYSTEM"?t("li",{class:"msg system",children:[w.body," ",t("time",{children:se(w.createdAt)})]},w.id):t("li",{class:`msg ${w.author.toLowerCase()}${w.internal?" note":""}`,children:[t("span",{class:"from",children:[w.internal?"Internal note · ":"",dr(w),w.answerId&&w.author==="CUSTOMER"&&t(z,{children:[" ",t("span",{class:"pill ai",children:"asked the AI"})]})]}),w.body&&t(he,{text:w.body}),w.attachments.length>0&&t(gr,{files:w.attachments}),t("time",{children:se(w.createdAt)}),w.id===D&&t("span",{class:"seen",children:"Seen"})]},w.id))}),t("p",{class:"typing",role:"status",children:d.map(w=>`${w.name} is typing…`).join(" ")}),t(yr,{conversationID:e,attach:S,onSent:w=>s(O=>O.some(k=>k.id===w.id)?O:[...O,w])}),q&&t("div",{class:"drop","aria-hidden":"true",children:"Drop files to attach them"})]}),i.customer&&t(mr,{c:i})]})}function dr(e){switch(e.author){case"CUSTOMER":return"Customer";case"AGENT":return e.authorAgent?.name||"Agent";case"BOT":return"AI answer";default:return"System"}}function pr({csat:e}){return t("span",{class:"csat",children:["Rated ",t("strong",{children:[t("span",{"aria-hidden":"true",children:"★ "}),e.rating,"/5"]}),e.comment&&t(z,{children:[" · ",t("q",{children:e.comment})]})]})}function mr({c:e}){let n=e.customer,r=n.conversations.edges.map(a=>a.node).filter(a=>a.id!==e.id);return t("aside",{class:"customer-panel","aria-label":"Customer",children:[t("h2",{children:n.name||n.email||"Customer"}),n.email&&t("p",{children:n.email}),t("p",{children:e.identityVerified?t("span",{class:"verified",children:"Verified"}):t("span",{class:"unverified",children:"Not verified"})}),r.length>0&&t(z,{children:[t("h3",{children:"Other conversations"}),t("ul",{children:r.map(a=>t("li",{children:[a.status.toLowerCase()," · ",se(a.lastMessageAt)]},a.id))})]})]})}function gr({files:e}){return t("ul",{class:"files","aria-label":"Attachments",children:e.map(n=>t("li",{children:n.inline?t("a",{class:"thumb",href:n.url,target:"_blank",rel:"noopener",children:t("img",{src:n.url,alt:`${n.filename}, ${tt(n.size)}`,loading:"lazy"})}):t("a",{class:"file",href:n.url,download:n.filename,children:[t("span",{class:"name",children:n.filename})," ",t("span",{class:"size",children:tt(n.size)})]})},n.id))})}var fr=e=>({file:e,url:/^image\/(png|jpeg|gif|webp|bmp)$/.test(e.type)?URL.createObjectURL(e):null});function yr({conversationID:e,attach:n,onSent:r}){let[a,l]=A(""),[i,m]=A(!1),[c,s]=A(!1),[u,g]=A(null),[d,o]=A([]),[f,b]=A(null),v=K(crypto.randomUUID()),p=()=>{v.current=crypto.randomUUID()},h=K({on:!1,last:0}),_=y=>{let x=h.current;(y?Date.now()-x.last<2e3:!x.on)||(y&&(x.last=Date.now()),x.on=y,C(Gt,{c:e,t:y}).catch(()=>{}))};L(()=>()=>_(!1),[]);let S=K(null),q=K(null),P=K(d);P.current=d,L(()=>()=>P.current.forEach(y=>y.url&&URL.revokeObjectURL(y.url)),[]);let V=y=>{y.length&&(o(x=>[...x,...y.map(fr)]),g(null),p())};n.current=V;let E=y=>{y.url&&URL.revokeObjectURL(y.url),o(x=>x.filter(D=>D!==y)),g(null),p(),S.current?.focus()};L(()=>{let y=x=>{x.key==="r"&&!nt(x)&&!x.ctrlKey&&!x.metaKey&&(x.preventDefault(),S.current?.focus())};return addEventListener("keydown",y),()=>removeEventListener("keydown",y)},[]);let F=async y=>{if(y?.preventDefault(),!(!a.trim()&&!d.length||f!==null)){_(!1),b(0);try{let x;if(d.length){let D=d.map(w=>w.file);x=i?(await Ge(Je,{c:e,b:a},D,b)).addInternalNote:(await Ge(je,{c:e,b:a,k:v.current},D,b)).replyToConversation.message}else x=i?(await C(Je,{c:e,b:a})).addInternalNote:(await C(je,{c:e,b:a,k:v.current})).replyToConversation.message;r(x),d.forEach(D=>D.url&&URL.revokeObjectURL(D.url)),o([]),l(""),s(!1),g(null),p()}catch(x){let D=x instanceof Z?/^files\[(\d+)\]$/.exec(x.field??""):null;g({text:br(x.message),file:D?Number(D[1]):-1})}finally{b(null)}}};return t("form",{class:i?"reply note":"reply",onSubmit:F,"aria-busy":f!==null,children:[c?t("div",{class:"preview-box","aria-label":"Preview",children:t(he,{text:a})}):t("label",{class:"visually-hidden",for:"reply-body",children:i?"Internal note":"Reply"}),!c&&t("textarea",{id:"reply-body",ref:S,rows:4,value:a,placeholder:i?"Internal note, agents only":"Reply to the customer (Markdown)",onInput:y=>{let x=y.target.value;l(x),p(),_(!i&&x!=="")},onBlur:()=>_(!1),onPaste:y=>{let x=[...y.clipboardData?.files??[]];x.length&&(y.clipboardData.types.includes("text/plain")||y.preventDefault(),V(x))},onKeyDown:y=>{y.key==="Enter"&&(y.ctrlKey||y.metaKey)&&F()}}),d.length>0&&t("ul",{class:"chips","aria-label":"Files to send",children:d.map((y,x)=>t("li",{class:u?.file===x?"chip bad":"chip",children:[y.url&&t("img",{src:y.url,alt:""}),t("span",{class:"name",children:y.file.name})," ",t("span",{class:"size",children:tt(y.file.size)}),t("button",{type:"button",class:"link","aria-label":`Remove ${y.file.name}`,onClick:()=>E(y),children:"×"})]},y.url??`${y.file.name}-${x}`))}),u&&t("p",{role:"alert",class:"error",children:u.text}),f!==null&&d.length>0&&t("progress",{max:100,value:Math.round(f*100),"aria-label":"Uploading the files"}),t("div",{class:"reply-actions",children:[t("label",{children:[t("input",{type:"checkbox",checked:i,onChange:y=>{let x=y.target.checked;m(x),p(),_(!x&&a!=="")}})," Internal note"]}),t("button",{type:"button",class:"link",onClick:()=>s(!c),children:c?"Edit":"Preview"}),t("button",{type:"button",class:"link",onClick:()=>q.current?.click(),children:"Attach files"}),t("input",{ref:q,type:"file",multiple:!0,hidden:!0,onChange:y=>{let x=y.target;V([...x.files??[]]),x.value=""}}),t("span",{class:"spacer"}),t("button",{type:"submit",disabled:!a.trim()&&!d.length||f!==null,children:f!==null?"Sending…":i?"Add note":"Send"})]})]})}function br(e){return e.replace(/^files\[\d+\] \((.*)\)(?= is |: )/,"$1")}function tt(e){return e<1024?`${e} B`:e<1024*1024?`${Math.round(e/1024)} KB`:`${(e/(1024*1024)).toFixed(1).replace(/\.0$/,"")} MB`}function hr({workspaceID:e,canEdit:n,initial:r}){let[a,l]=A(""),[i,m]=A(""),[c,s]=A([]),[u,g]=A(null),[d,o]=A(""),f=K(0),b=ae(()=>{let p={...a?{status:a}:{},...i.trim()?{text:i.trim()}:{}},h=++f.current;C(Jt,{w:e,f:p}).then(_=>{h===f.current&&(s(_.articles.edges.map(S=>S.node)),o(""))}).catch(_=>o(_.message))},[e,a,i]);L(()=>{let p=setTimeout(b,i?250:0);return()=>clearTimeout(p)},[b]),L(()=>{r&&C(Yt,{id:r}).then(p=>g(p.article)).catch(p=>o(p.message))},[r]);let v=p=>p.then(()=>{g(null),b()}).catch(h=>o(h.message));return t("div",{class:"kb",children:[t("section",{class:"kb-list","aria-label":"Articles",children:[t("div",{class:"filters",children:[t("label",{children:["Status"," ",t("select",{value:a,onChange:p=>l(p.target.value),children:[t("option",{value:"",children:"All"}),t("option",{value:"PUBLISHED",children:"Published"}),t("option",{value:"DRAFT",children:"Draft"})]})]}),t("label",{class:"search",children:["Filter ",t("input",{type:"search",value:i,onInput:p=>m(p.target.value)})]}),n&&t("button",{type:"button",onClick:()=>g("new"),children:"New article"})]}),d&&t("p",{role:"alert",class:"error",children:d}),t("ul",{class:"list",children:c.map(p=>t("li",{children:t("button",{type:"button",class:u!=="new"&&u?.id===p.id?"open":"",onClick:()=>g(p),children:[t("span",{class:"row1",children:[t("span",{class:"customer",children:p.title}),t("span",{class:`pill ${p.status.toLowerCase()}`,children:p.status.toLowerCase()})]}),t("span",{class:"meta",children:[p.tags.join(", "),p.tags.length?" · ":"","updated ",se(p.updatedAt)]})]})},p.id))}),c.length===0&&!d&&t("p",{class:"none",children:"No articles."})]}),t("section",{class:"kb-main","aria-label":"Article",children:u?t(vr,{article:u==="new"?null:u,canEdit:n,onSave:(p,h)=>v(u==="new"?C(Xt,{w:e,t:p,b:h}):C(Zt,{id:u.id,t:p,b:h})),onPublish:p=>v(p.status==="PUBLISHED"?C(tn,{id:p.id}):C(en,{id:p.id})),onDelete:p=>confirm(`Delete "${p.title}"?`)&&v(C(nn,{id:p.id}))},u==="new"?"new":u.id):t(wr,{workspaceID:e})})]})}function vr({article:e,canEdit:n,onSave:r,onPublish:a,onDelete:l}){let[i,m]=A(e?.title??""),[c,s]=A(e?.body??""),[u,g]=A(!n),d=i!==(e?.title??"")||c!==(e?.body??"");return t("form",{class:"editor",onSubmit:o=>{o.preventDefault(),r(i,c)},children:[t("label",{children:["Title ",t("input",{value:i,required:!0,readOnly:!n,onInput:o=>m(o.target.value)})]}),u?t("div",{class:"preview-box","aria-label":"Preview",children:t(he,{text:c})}):t("label",{children:["Body (Markdown) ",t("textarea",{rows:16,value:c,required:!0,onInput:o=>s(o.target.value)})]}),t("div",{class:"reply-actions",children:[n&&t("button",{type:"button",class:"link",onClick:()=>g(!u),children:u?"Edit":"Preview"}),t("span",{class:"spacer"}),n&&e&&t("button",{type:"button",class:"danger",onClick:()=>l(e),children:"Delete"}),n&&e&&!d&&t("button",{type:"button",onClick:()=>a(e),children:e.status==="PUBLISHED"?"Unpublish":"Publish"}),n&&t("button",{type:"submit",disabled:!d||!i.trim()||!c.trim(),children:e?"Save":"Create draft"})]})]})}function wr({workspaceID:e}){let[n,r]=A(""),[a,l]=A(null),[i,m]=A("");return t("form",{class:"tryit",onSubmit:s=>{s.preventDefault(),C(rn,{q:n,w:e}).then(u=>{l(u),m("")}).catch(u=>m(u.message))},children:[t("h2",{children:"Try it"}),t("p",{children:"Ask as a customer would, and see what the widget would show: its search results among published articles, and its answer."}),t("label",{children:["Customer question ",t("input",{value:n,required:!0,onInput:s=>r(s.target.value)})]}),t("button",{type:"submit",children:"Try"}),i&&t("p",{role:"alert",class:"error",children:i}),a&&t("div",{class:"tryit-out",children:[t("h3",{children:["Answer ",a.answer.answered?`(confidence ${a.answer.confidence.toFixed(2)})`:"(none: the fallback message)"]}),t("div",{class:"preview-box answer",children:t(he,{text:a.answer.answer})}),a.answer.sources.length>0&&t("ol",{class:"results",children:a.answer.sources.map(s=>t("li",{children:s.title}))}),t("h3",{children:"Search results"}),a.searchArticles.results.length===0?t("p",{class:"none",children:"Nothing relevant."}):t("ol",{class:"results",children:a.searchArticles.results.map(s=>t("li",{children:[t("strong",{children:s.title})," ",t("span",{class:"meta",children:s.score.toFixed(2)}),t("p",{children:s.snippet})]},s.articleId))})]})]})}var _r=["GET","POST","PUT","PATCH","DELETE"];function xr({workspaceID:e,me:n}){let[r,a]=A(null),[l,i]=A({actions:[],actionCalls:[]}),[m,c]=A(""),[s,u]=A(""),g=ae(()=>{C(an,{w:e}).then(p=>{a(p.workspace),i({actions:p.actions,actionCalls:p.actionCalls})}).catch(p=>c(p.message))},[e]);L(g,[g]);let d=r?JSON.stringify([r.widgetKey,r.widgetConfig]):"";L(()=>{if(!r)return;let p=()=>{window.Helpium?.shutdown(),window.Helpium?.init({apiKey:r.widgetKey}).catch(()=>{})};if(window.Helpium){p();return}let h=document.createElement("script");h.src="/widget.js",h.onload=p,document.head.append(h)},[d]),L(()=>()=>window.Helpium?.shutdown(),[]);let o=(p,h)=>h.then(()=>{u(p),c(""),g()}).catch(_=>{u(""),c(_.message)}),f=(p,h,_)=>_.then(()=>(u(h),c(""),g(),!0),S=>{if(u(""),S instanceof Z&&S.field&&p.includes(S.field))throw c(""),S;return c(S.message),!1});if(!r)return t("section",{class:"settings",children:m?t("p",{role:"alert",class:"error",children:m}):t("p",{class:"loading",children:"Loading…"})});let b=r.widgetConfig;return t("section",{class:"settings","aria-label":"Settings",children:[t("p",{role:"status",class:"saved",children:s}),m&&t("p",{role:"alert",class:"error",children:m}),t("form",{class:"card",onSubmit:p=>{p.preventDefault();let h=new FormData(p.currentTarget),_=S=>String(h.get(S));o("Widget saved.",C(on,{w:e,p:{colors:{primary:_("primary"),background:_("background"),text:_("text")},position:_("position")==="BOTTOM_LEFT"?"BOTTOM_LEFT":"BOTTOM_RIGHT",greeting:_("greeting"),launcherText:_("launcherText")}}))},children:[t("h2",{children:"Widget"}),t("div",{class:"colors",children:[t("label",{children:["Primary colour ",t("input",{name:"primary",type:"color",defaultValue:b.colors.primary})]}),t("label",{children:["Background ",t("input",{name:"background",type:"color",defaultValue:b.colors.background})]}),t("label",{children:["Text ",t("input",{name:"text",type:"color",defaultValue:b.colors.text})]}),t("label",{children:["Position"," ",t("select",{name:"position",children:[t("option",{value:"BOTTOM_RIGHT",selected:b.position==="BOTTOM_RIGHT",children:"Bottom right"}),t("option",{value:"BOTTOM_LEFT",selected:b.position==="BOTTOM_LEFT",children:"Bottom left"})]})]})]}),t("label",{children:["Greeting ",t("input",{name:"greeting",defaultValue:b.greeting,maxLength:500})]}),t("label",{children:["Launcher text ",t("input",{name:"launcherText",defaultValue:b.launcherText,maxLength:40})]}),t("p",{class:"meta",children:"The widget on this page is the real one with these settings; it restarts after each save."}),t("button",{type:"submit",children:"Save widget"})]},JSON.stringify(b)),t("form",{class:"card",onSubmit:p=>{p.preventDefault();let h=String(new FormData(p.currentTarget).get("origins")).split(`
`).map(_=>_.trim()).filter(Boolean);o("Allowed origins saved.",C(sn,{w:e,o:h}))},children:[t("h2",{children:"Allowed origins"}),t("label",{children:["One per line, e.g. https://www.example.com; empty allows any site to use the widget key",t("textarea",{name:"origins",rows:3,defaultValue:r.allowedOrigins.join(`
`)})]}),t("button",{type:"submit",children:"Save origins"})]},r.allowedOrigins.join()),t(Dr,{value:r.businessHours,onSave:p=>o("Business hours saved.",C(ln,{w:e,in:p}))},JSON.stringify(r.businessHours)),t("form",{class:"card",onSubmit:p=>{p.preventDefault();let h=new FormData(p.currentTarget),_=S=>Number(h.get(S));o("Rate limits saved.",C(un,{w:e,in:{customerApiPerMinute:_("api"),conversationsPerMinute:_("conversations"),messagesPerMinute:_("messages")}}))},children:[t("h2",{children:"Rate limits, per minute"}),t("div",{class:"colors",children:[t("label",{children:["Customer API requests ",t("input",{name:"api",type:"number",min:1,required:!0,defaultValue:r.rateLimits.customerApiPerMinute})]}),t("label",{children:["New conversations per visitor ",t("input",{name:"conversations",type:"number",min:1,required:!0,defaultValue:r.rateLimits.conversationsPerMinute})]}),t("label",{children:["Messages per visitor ",t("input",{name:"messages",type:"number",min:1,required:!0,defaultValue:r.rateLimits.messagesPerMinute})]})]}),t("button",{type:"submit",children:"Save limits"})]},JSON.stringify(r.rateLimits)),t(Ir,{value:r.attachmentLimits,onError:p=>{u(""),c(p)},onSave:p=>o("Attachment limits saved.",C(cn,{w:e,in:p}))},JSON.stringify(r.attachmentLimits)),t(Rr,{value:r.awayEmail,onSave:p=>f($r,"Away email saved.",C(dn,{w:e,in:p}))},JSON.stringify(r.awayEmail)),t(Lr,{actions:l.actions,calls:l.actionCalls,onRefresh:g,onSave:(p,h)=>p?f(Cn,"Action saved.",C(mn,{id:p,in:h})):f(Cn,"Action created.",C(pn,{w:e,in:h})),onDelete:p=>o("Action deleted.",C(gn,{id:p.id}))}),t("div",{class:"card",children:[t("h2",{children:"Identity verification"}),t("p",{class:"meta",children:"Your server signs each customer's email with this secret (hex HMAC-SHA256 of the lower-cased email) and passes it to the widget as user_hash."}),t(Or,{secret:r.identitySecret}),t("label",{class:"inline",children:[t("input",{type:"checkbox",checked:r.requireIdentityVerification,onChange:p=>o("Identity verification saved.",C(fn,{w:e,r:p.target.checked}))})," ","Refuse identify calls without a valid user hash"]}),t("button",{type:"button",class:"danger",onClick:()=>confirm("Rotate the identity secret? User hashes made with the old one stop verifying.")&&o("Identity secret rotated.",C(yn,{w:e})),children:"Rotate secret"})]}),t("div",{class:"card",children:[t("h2",{children:"Members"}),t($e,{label:"Members",children:t("table",{children:[t("thead",{children:t("tr",{children:[t("th",{scope:"col",children:"Name"}),t("th",{scope:"col",children:"Email"}),t("th",{scope:"col",children:"Role"}),t("th",{scope:"col",children:t("span",{class:"visually-hidden",children:"Actions"})})]})}),t("tbody",{children:r.members.map(p=>t("tr",{children:[t("td",{children:p.agent.name}),t("td",{children:p.agent.email}),t("td",{children:t("select",{"aria-label":`Role of ${p.agent.email}`,value:p.role,disabled:p.agent.id===n.id,onChange:h=>o("Role changed.",C(bn,{w:e,a:p.agent.id,r:h.target.value})),children:[t("option",{value:"OWNER",children:"Owner"}),t("option",{value:"ADMIN",children:"Admin"}),t("option",{value:"AGENT",children:"Agent"})]})}),t("td",{children:p.agent.id!==n.id&&t("button",{type:"button",class:"danger",onClick:()=>confirm(`Remove ${p.agent.email}?`)&&o("Member removed.",C(hn,{w:e,a:p.agent.id})),children:"Remove"})})]},p.agent.id))})]})}),t("form",{class:"invite",onSubmit:p=>{p.preventDefault();let h=new FormData(p.currentTarget);o("Invitation sent.",C(vn,{w:e,e:String(h.get("email")),r:h.get("role")}))},children:[t("label",{children:["Invite by email ",t("input",{name:"email",type:"email",required:!0})]}),t("label",{children:["Role ",t("select",{name:"role",children:[t("option",{value:"AGENT",children:"Agent"}),t("option",{value:"ADMIN",children:"Admin"}),t("option",{value:"OWNER",children:"Owner"})]})]}),t("button",{type:"submit",children:"Invite"})]})]}),t("div",{class:"card",children:[t("h2",{children:"Widget key"}),t("p",{children:t("code",{children:r.widgetKey})}),t("button",{type:"button",class:"danger",onClick:()=>confirm("Rotate the widget key? Sites using the old key stop working until updated.")&&o("Widget key rotated.",C(wn,{w:e})),children:"Rotate key"})]})]})}var Ar=e=>e.toISOString().slice(0,10),me=e=>Ar(new Date(Date.now()-e*864e5)),kn=[7,30,90];function Sr({workspaceID:e,admin:n,onOpenArticle:r,onOpenConversation:a}){let[l,i]=A(me(29)),[m,c]=A(me(0)),[s,u]=A(null),[g,d]=A(""),o=m===me(0)?kn.find(p=>l===me(p-1)):void 0,f=l+"T00:00:00Z",b=new Date(m+"T00:00:00Z");b.setUTCDate(b.getUTCDate()+1);let v=b.toISOString();return L(()=>{let p=!0;return C(_n,{w:e,f,t:v}).then(h=>{p&&(u({...h.stats,days:h.stats.days.map(_=>({..._,csatAverage:_.csat.average}))}),d(""))}).catch(h=>p&&d(h.message)),()=>{p=!1}},[e,f,v]),t("section",{class:"reports","aria-label":"Reports",children:[t("div",{class:"filters",children:[t("label",{children:["Period"," ",t("select",{value:o??"",onChange:p=>{let h=Number(p.target.value);h&&(i(me(h-1)),c(me(0)))},children:[kn.map(p=>t("option",{value:p,children:["Last ",p," days"]},p)),t("option",{value:"",disabled:o!==void 0,children:"Custom"})]})]}),t("label",{children:["From ",t("input",{type:"date",value:l,max:m,onChange:p=>i(p.target.value)})]}),t("label",{children:["To ",t("input",{type:"date",value:m,min:l,onChange:p=>c(p.target.value)})]})]}),g&&t("p",{role:"alert",class:"error",children:g}),s&&t(z,{children:[t("dl",{class:"tiles",children:[t("div",{children:[t("dt",{children:"Opened"}),t("dd",{children:s.opened})]}),t("div",{children:[t("dt",{children:"Resolved"}),t("dd",{children:s.resolved})]}),t("div",{children:[t("dt",{children:"Open now"}),t("dd",{children:s.openNow})]}),t("div",{children:[t("dt",{children:"Median first response"}),t("dd",{children:Ze(s.medianFirstResponseSeconds)})]}),t("div",{children:[t("dt",{children:"Median resolution"}),t("dd",{children:Ze(s.medianResolutionSeconds)})]}),t("div",{class:"csat-tile",children:[t("dt",{children:"CSAT average"}),t("dd",{children:[Tn(s.csat.average),s.csat.average!=null&&t("span",{class:"of",children:" / 5"})]})]}),t("div",{children:[t("dt",{children:"Ratings"}),t("dd",{children:s.csat.count})]})]}),t("div",{class:"card",children:[t("h2",{id:"chart-volume",children:"Opened and resolved per day"}),t(Xe,{days:s.days,series:[["opened","Opened","#0f766e"],["resolved","Resolved","#1d4ed8"]],labelledBy:"chart-volume",format:String})]}),t("div",{class:"card",children:[t("h2",{id:"chart-times",children:"Median first response and resolution per day"}),t(Xe,{days:s.days,series:[["medianFirstResponseSeconds","First response","#b45309"],["medianResolutionSeconds","Resolution","#7c3aed"]],labelledBy:"chart-times",format:Ze})]}),t("section",{class:"card","aria-labelledby":"csat-title",children:[t("h2",{id:"csat-title",children:"Customer satisfaction"}),s.csat.count===0?t("p",{class:"none",children:"No ratings in this period."}):t(z,{children:[t(kr,{csat:s.csat}),t("h3",{id:"chart-csat",children:"Average rating per day"}),t(Xe,{days:s.days,series:[["csatAverage","Average rating","#a16207"]],labelledBy:"chart-csat",format:Tn,max:5})]})]})]}),n&&t(Tr,{workspaceID:e,from:f,to:v,onOpenArticle:r}),t(Mr,{workspaceID:e,from:f,to:v,onOpenConversation:a})]})}var Tn=e=>e==null?"—":e.toFixed(1),En=e=>`${Math.round(e*100)}%`;function kr({csat:e}){let n=Math.max(1,...e.distribution);return t("table",{class:"distribution",children:[t("caption",{class:"visually-hidden",children:"Ratings, from 5 (very good) to 1 (very bad)"}),t("tbody",{children:[5,4,3,2,1].map(r=>{let a=e.distribution[r-1]??0;return t("tr",{children:[t("th",{scope:"row",children:[r," ",t("span",{"aria-hidden":"true",children:"★"}),t("span",{class:"visually-hidden",children:r===1?"star":"stars"})]}),t("td",{class:"bar",children:t("svg",{viewBox:"0 0 100 10",preserveAspectRatio:"none","aria-hidden":"true",children:[t("rect",{width:"100",height:"10",fill:"#e2e8f0"}),t("rect",{width:100*a/n,height:"10",fill:"#a16207"})]})}),t("td",{class:"n",children:[a," ",t("span",{class:"meta",children:["(",En(a/e.count),")"]})]})]},r)})})]})}function Tr({workspaceID:e,from:n,to:r,onOpenArticle:a}){let l=`${e} ${n} ${r}`,[i,m]=A(null);L(()=>{let g=!0;return C(xn,{w:e,f:n,t:r}).then(d=>g&&m({period:l,report:d.contentGaps})).catch(d=>g&&m({period:l,error:d.message})),()=>{g=!1}},[l]);let{report:c,error:s}=i?.period===l?i:{report:void 0,error:void 0},u=c?.deflection;return t("section",{class:"card gaps","aria-labelledby":"gaps-title","aria-busy":!c&&!s,children:[t("h2",{id:"gaps-title",children:"Content gaps"}),t("p",{class:"meta",children:"The questions the AI could not answer, or whose answer the customer voted not helpful, grouped by meaning: the articles to write next."}),s?t("p",{role:"alert",class:"error",children:s}):!c||!u?t("p",{class:"loading",children:"Loading…"}):t(z,{children:[t("p",{class:"deflection",children:u.rate==null?"No AI answers in this period.":t(z,{children:[t("strong",{children:En(u.rate)})," of AI answers settled the question: ",u.answers-u.ledToConversation," of ",u.answers,";"," ",u.ledToConversation," led to a conversation within 24 hours."]})}),c.clusters.length===0?t("p",{class:"none",children:"No unanswered questions in this period."}):t(z,{children:[t("p",{children:[c.questions," unanswered ",c.questions===1?"question":"questions",", largest group first:"]}),t("ol",{class:"clusters",children:c.clusters.map((g,d)=>t("li",{class:"cluster",children:[t("strong",{class:"size",children:[g.size," ",g.size===1?"question":"questions"]}),t("ul",{class:"examples",children:g.examples.map(o=>t("li",{children:t("q",{children:o})},o))}),t("p",{class:"closest",children:g.articles.length===0?"No article comes close.":t(z,{children:["Closest ",g.articles.length===1?"article":"articles",":"," ",g.articles.map((o,f)=>t("span",{children:[f>0&&", ",t("a",{href:"#kb",onClick:b=>{b.preventDefault(),a(o.articleId)},children:o.title})," ",t("span",{class:"meta",children:["(",o.score.toFixed(2),")"]})]},o.articleId))]})})]},d))})]})]})]})}function Mr({workspaceID:e,from:n,to:r,onOpenConversation:a}){let[l,i]=A(null),[m,c]=A("");return L(()=>{let s=!0;return c(""),C(An,{w:e,f:n,t:r}).then(u=>s&&i(u.answers)).catch(u=>s&&c(u.message)),()=>{s=!1}},[e,n,r]),t("section",{class:"card","aria-labelledby":"unhelpful-title",children:[t("h2",{id:"unhelpful-title",children:"Answers voted not helpful"}),m?t("p",{role:"alert",class:"error",children:m}):l?l.length===0?t("p",{class:"none",children:"No AI answer was voted not helpful in this period."}):t("ol",{class:"answers",children:l.map(s=>t("li",{children:[t("p",{class:"question",children:[t("strong",{children:s.question})," ",t("time",{class:"meta",dateTime:s.createdAt,children:se(s.createdAt)})]}),s.answer.answered?t("details",{children:[t("summary",{children:"The AI's answer"}),t("div",{class:"preview-box",children:t(he,{text:s.answer.answer})})]}):t("p",{class:"meta",children:"The AI did not answer."}),s.feedback?.comment&&t("p",{children:["The customer said: ",t("q",{children:s.feedback.comment})]}),s.conversation&&t("a",{class:"open-conversation",href:"#inbox",onClick:u=>{u.preventDefault(),a(s.conversation.id)},children:"Open the conversation"})]},s.id))}):t("p",{class:"loading",children:"Loading…"}),l?.length===50&&t("p",{class:"meta",children:"The 50 most recent."})]})}function Xe({days:e,series:n,labelledBy:r,format:a,max:l}){let i=l??Math.max(1,...e.flatMap(d=>n.map(([o])=>d[o]??0))),m=720,c=180,s=24,u=(m-s)/Math.max(1,e.length),g=Math.max(2,(u-6)/n.length);return t(z,{children:[t("svg",{viewBox:`0 0 ${m} ${c+24}`,class:"chart","aria-hidden":"true",children:[t("line",{x1:s,y1:c,x2:m,y2:c,stroke:"#94a3b8"}),e.map((d,o)=>t("g",{children:[n.map(([f,,b],v)=>{let h=(d[f]??0)/i*(c-10);return t("rect",{x:s+o*u+3+v*g,y:c-h,width:g-1,height:h,fill:b})}),(e.length<=16||o%Math.ceil(e.length/16)===0)&&t("text",{x:s+o*u+u/2,y:c+16,"font-size":"11","text-anchor":"middle",fill:"#475569",children:d.date.slice(5)})]},d.date)),t("text",{x:0,y:12,"font-size":"11",fill:"#475569",children:a(i)})]}),t("p",{class:"legend",children:n.map(([,d,o])=>t("span",{children:[t("svg",{width:"12",height:"12","aria-hidden":"true",children:t("rect",{width:"12",height:"12",fill:o})})," ",d]},d))}),t("table",{class:"visually-hidden","aria-labelledby":r,children:[t("thead",{children:t("tr",{children:[t("th",{scope:"col",children:"Day"}),n.map(([,d])=>t("th",{scope:"col",children:d}))]})}),t("tbody",{children:e.map(d=>t("tr",{children:[t("th",{scope:"row",children:d.date}),n.map(([o])=>t("td",{children:a(d[o]??null)}))]},d.date))})]})]})}function Ze(e){return e==null?"—":e<90?`${Math.round(e)} s`:e<5400?`${Math.round(e/60)} min`:e<172800?`${(e/3600).toFixed(1)} h`:`${(e/86400).toFixed(1)} d`}var Cr=["MONDAY","TUESDAY","WEDNESDAY","THURSDAY","FRIDAY","SATURDAY","SUNDAY"];function Dr({value:e,onSave:n}){let[r,a]=A(e),l=s=>r.ranges.find(u=>u.day===s),i=(s,u)=>a({...r,ranges:[...r.ranges.filter(g=>g.day!==s),...u?[{day:s,...u}]:[]]}),[m,c]=A("");return t("form",{class:"card",onSubmit:s=>{s.preventDefault(),n({...r,closures:r.closures.map(u=>({date:u.date,reason:u.reason}))})},children:[t("h2",{children:"Business hours"}),t("label",{class:"inline",children:[t("input",{type:"checkbox",checked:r.enabled,onChange:s=>a({...r,enabled:s.target.checked})})," Keep business hours (otherwise always open)"]}),t("label",{children:["Time zone (IANA, e.g. Europe/Amsterdam) ",t("input",{value:r.timezone,required:!0,onInput:s=>a({...r,timezone:s.target.value})})]}),t($e,{label:"Opening hours by day",children:t("table",{children:[t("thead",{children:t("tr",{children:[t("th",{scope:"col",children:"Day"}),t("th",{scope:"col",children:"Open"}),t("th",{scope:"col",children:"From"}),t("th",{scope:"col",children:"To"})]})}),t("tbody",{children:Cr.map(s=>{let u=l(s),g=s.charAt(0)+s.slice(1).toLowerCase();return r.ranges.filter(d=>d.day===s).length>1?t("tr",{children:[t("th",{scope:"row",children:t(Mn,{name:g})}),t("td",{colSpan:3,children:[r.ranges.filter(d=>d.day===s).map(d=>`${d.start}–${d.end}`).join(", ")," (several ranges: change them through the API)"]})]},s):t("tr",{children:[t("th",{scope:"row",children:t(Mn,{name:g})}),t("td",{children:t("input",{type:"checkbox","aria-label":`Open on ${g}`,checked:!!u,onChange:d=>i(s,d.target.checked?{start:"09:00",end:"17:00"}:null)})}),t("td",{children:t("input",{type:"time","aria-label":`${g} opens`,disabled:!u,value:u?.start??"",onInput:d=>u&&i(s,{...u,start:d.target.value})})}),t("td",{children:t("input",{type:"time","aria-label":`${g} closes`,disabled:!u,value:u?.end==="24:00"?"23:59":u?.end??"",onInput:d=>u&&i(s,{...u,end:d.target.value})})})]},s)})})]})}),t("div",{class:"invite",children:[t("label",{children:["Closed all day on ",t("input",{type:"date",value:m,onInput:s=>c(s.target.value)})]}),t("button",{type:"button",disabled:!m,onClick:()=>{a({...r,closures:[...r.closures.filter(s=>s.date!==m),{date:m,reason:null}]}),c("")},children:"Add closure"})]}),r.closures.length>0&&t("ul",{children:r.closures.map(s=>t("li",{children:[s.date,s.reason?` (${s.reason})`:""," ",t("button",{type:"button",class:"link",onClick:()=>a({...r,closures:r.closures.filter(u=>u.date!==s.date)}),children:["Remove",t("span",{class:"visually-hidden",children:[" ",s.date]})]})]},s.date))}),t("label",{children:["Message while away ",t("input",{value:r.outOfOfficeMessage,maxLength:500,onInput:s=>a({...r,outOfOfficeMessage:s.target.value})})]}),t("button",{type:"submit",children:"Save business hours"})]})}function Mn({name:e}){return t(z,{children:[t("span",{class:"day-long",children:e}),t("span",{class:"day-short","aria-hidden":"true",children:e.slice(0,3)})]})}var Er=[["IMAGE","Images (PNG, JPEG, GIF, WebP, BMP)"],["PDF","PDF"],["TEXT","Plain text"],["CSV","CSV"],["OFFICE","Office documents (Word, Excel, PowerPoint, OpenDocument)"]];function Ir({value:e,onSave:n,onError:r}){return t("form",{class:"card",onSubmit:a=>{a.preventDefault();let l=new FormData(a.currentTarget),i=l.getAll("kinds");if(!i.length){r("Choose at least one kind of file.");return}n({maxFileBytes:Math.round(Number(l.get("mb"))*1024*1024),maxFilesPerMessage:Number(l.get("perMessage")),maxFilesPerConversation:Number(l.get("perConversation")),allowedKinds:i})},children:[t("h2",{children:"Attachments"}),t("div",{class:"colors",children:[t("label",{children:["Largest file, MB ",t("input",{name:"mb",type:"number",min:.1,max:25,step:.1,required:!0,defaultValue:String(+(e.maxFileBytes/(1024*1024)).toFixed(1))})]}),t("label",{children:["Files per message ",t("input",{name:"perMessage",type:"number",min:1,max:10,required:!0,defaultValue:String(e.maxFilesPerMessage)})]}),t("label",{children:["Files per conversation ",t("input",{name:"perConversation",type:"number",min:1,max:1e3,required:!0,defaultValue:String(e.maxFilesPerConversation)})]})]}),t("fieldset",{children:[t("legend",{children:"Kinds of file accepted (judged by content, never by name)"}),Er.map(([a,l])=>t("label",{class:"inline",children:[t("input",{type:"checkbox",name:"kinds",value:a,defaultChecked:e.allowedKinds.includes(a)})," ",l]},a))]}),t("button",{type:"submit",children:"Save attachment limits"})]})}var $r=["delayMinutes","resumeUrl"];function Rr({value:e,onSave:n}){let[r,a]=A(null),l=K(null);L(()=>{r&&l.current?.elements.namedItem(r.field)?.focus()},[r]);let i=s=>r?.field===s,m=s=>`away-${s}-error`,c=s=>i(s)&&t("p",{id:m(s),class:"error field-error",children:r.message});return t("form",{class:"card",ref:l,onSubmit:s=>{s.preventDefault();let u=new FormData(s.currentTarget),g=String(u.get("resumeUrl")??"").trim();a(null),n({enabled:u.get("enabled")==="on",delayMinutes:Number(u.get("delayMinutes")),resumeUrl:g||null}).catch(d=>{d instanceof Z&&d.field&&a({field:d.field,message:d.message})})},children:[t("h2",{children:"Email when the customer is away"}),t("p",{class:"meta",children:"When an agent replies and the customer has left, Helpium emails them the reply (identified customers only)."}),t("label",{class:"inline",children:[t("input",{type:"checkbox",name:"enabled",defaultChecked:e.enabled})," Email replies to customers who have left"]}),t("div",{class:"colors",children:t("label",{children:["Delay, minutes (1 to 1440)",t("input",{name:"delayMinutes",type:"number",min:1,max:1440,required:!0,defaultValue:String(e.delayMinutes),"aria-invalid":i("delayMinutes")||void 0,"aria-describedby":i("delayMinutes")?m("delayMinutes"):void 0})]})}),c("delayMinutes"),t("label",{children:["Resume page URL",t("input",{name:"resumeUrl",type:"url",maxLength:2e3,placeholder:"https://shop.example.com/help",defaultValue:e.resumeUrl??"","aria-invalid":i("resumeUrl")||void 0,"aria-describedby":["away-resumeUrl-hint",i("resumeUrl")?m("resumeUrl"):""].join(" ").trim()})]}),t("p",{id:"away-resumeUrl-hint",class:"meta hint",children:"The page of your site where the widget runs: the email's link reopens the conversation there. Empty: the email has no link."}),c("resumeUrl"),t("button",{type:"submit",children:"Save away email"})]})}var In=20,Cn=["name","description","method","urlTemplate","parameters","headers",...[...Array(In).keys()].flatMap(e=>["headers."+e+".name","headers."+e+".value"])];function Lr({actions:e,calls:n,onSave:r,onDelete:a,onRefresh:l}){let[i,m]=A(null),[c,s]=A(null),u=K(null);L(()=>{c&&((document.getElementById(c)??u.current?.querySelector("h2"))?.focus(),s(null))},[c]);let g=()=>{s(i==="new"||!i?"action-new":`action-edit-${i.id}`),m(null)};return t("div",{class:"card actions-card",ref:u,children:[t("h2",{tabIndex:-1,children:"AI Actions"}),t("p",{class:"meta",children:"Calls into your own application that agents run from a conversation and the AI uses when it answers a customer. Only public https addresses are reached."}),e.length===0?t("p",{class:"none",children:"No actions yet."}):t("ul",{class:"action-list",children:e.map(d=>t("li",{children:[t("span",{class:"row1",children:[t("strong",{class:"name",children:d.name}),t("span",{class:"pill",children:d.method}),d.requiresCustomerToken&&t("span",{class:"pill",children:"customer's token"})]}),t("code",{class:"url",children:d.urlTemplate}),t("p",{children:d.description}),d.headers.length>0&&t("p",{class:"meta",children:["Headers: ",d.headers.map(o=>o.name).join(", ")]}),t("span",{class:"reply-actions",children:[t("button",{type:"button",class:"link",id:`action-edit-${d.id}`,disabled:i!==null,onClick:()=>m(d),children:["Edit",t("span",{class:"visually-hidden",children:[" ",d.name]})]}),t("button",{type:"button",class:"danger",disabled:i!==null,onClick:()=>confirm(`Delete the action ${d.name}? The AI and agents can no longer use it; the records of its calls stay.`)&&a(d).then(()=>s("action-new")),children:["Delete",t("span",{class:"visually-hidden",children:[" ",d.name]})]})]})]},d.id))}),i?t(Fr,{action:i==="new"?null:i,onCancel:g,onSave:d=>r(i==="new"?null:i.id,d).then(o=>{o&&g()})},i==="new"?"new":i.id+i.updatedAt):t("button",{type:"button",id:"action-new",onClick:()=>m("new"),children:"New action"}),t("h3",{children:"Recent calls"}),n.length===0?t("p",{class:"none",children:"No calls yet."}):t($e,{label:"Recent calls",children:t("table",{class:"calls",children:[t("thead",{children:t("tr",{children:[t("th",{scope:"col",children:"Action"}),t("th",{scope:"col",children:"When"}),t("th",{scope:"col",children:"By"}),t("th",{scope:"col",children:"Result"}),t("th",{scope:"col",children:"Time"})]})}),t("tbody",{children:n.map(d=>{let o=!d.error&&d.statusCode!=null&&d.statusCode>=200&&d.statusCode<300;return t("tr",{children:[t("td",{children:d.actionName}),t("td",{children:t("time",{dateTime:d.createdAt,children:new Date(d.createdAt).toLocaleString()})}),t("td",{children:d.caller==="AI"?"AI":d.agent?.name||d.agent?.email||"Agent"}),t("td",{class:o?"ok":"failed",children:[o?"OK":"Failed",d.statusCode!=null?` (${d.statusCode})`:"",d.error?`: ${d.error}`:""]}),t("td",{children:[d.durationMs," ms"]})]},d.id)})})]})}),t("button",{type:"button",class:"link",onClick:l,children:"Refresh calls"})]})}var Dn=0;function Fr({action:e,onSave:n,onCancel:r}){let[a,l]=A(null),[i,m]=A(()=>(e?.headers??[]).map(b=>({key:++Dn,name:b.name,value:b.value??""}))),c=K(null);L(()=>{c.current?.elements.namedItem("name")?.focus()},[]),L(()=>{a&&c.current?.elements.namedItem(a.field)?.focus()},[a]);let s=b=>a?.field===b,u=b=>`action-${b.replace(/\./g,"-")}-error`,g=b=>s(b)&&t("p",{id:u(b),class:"error field-error",children:a.message}),d=(b,v)=>[v??"",s(b)?u(b):""].join(" ").trim()||void 0,o=(b,v)=>m(i.map((p,h)=>h===b?{...p,...v}:p)),f=e?`Edit ${e.name}`:"New action";return t("form",{class:"action-form",ref:c,"aria-label":f,onSubmit:b=>{b.preventDefault();let v=new FormData(b.currentTarget);l(null);let p;try{p=JSON.parse(String(v.get("parameters")??""))}catch(h){l({field:"parameters",message:`The parameters are not valid JSON: ${h.message}`});return}n({name:String(v.get("name")??""),description:String(v.get("description")??""),method:v.get("method"),urlTemplate:String(v.get("urlTemplate")??""),parameters:p,headers:i.map(({name:h,value:_})=>({name:h,value:_})),requiresCustomerToken:v.get("requiresCustomerToken")==="on"}).catch(h=>{h instanceof Z&&h.field&&l({field:h.field,message:h.message})})},children:[t("h3",{children:f}),t("div",{class:"colors",children:[t("label",{children:["Name",t("input",{name:"name",required:!0,maxLength:64,autocomplete:"off",spellcheck:!1,defaultValue:e?.name??"",placeholder:"lookup_order","aria-invalid":s("name")||void 0,"aria-describedby":d("name","action-name-hint")})]}),t("label",{children:["Method"," ",t("select",{name:"method","aria-invalid":s("method")||void 0,"aria-describedby":d("method"),children:_r.map(b=>t("option",{value:b,selected:(e?.method??"GET")===b,children:b}))})]})]}),t("p",{id:"action-name-hint",class:"meta hint",children:"The AI's tool name: a letter, then letters, digits, _ and -; unique in the workspace."}),g("name"),g("method"),t("label",{children:["Description",t("textarea",{name:"description",rows:2,required:!0,maxLength:1e3,defaultValue:e?.description??"","aria-invalid":s("description")||void 0,"aria-describedby":d("description","action-description-hint")})]}),t("p",{id:"action-description-hint",class:"meta hint",children:"Tells the AI when and how to use the action."}),g("description"),t("label",{children:["URL template",t("input",{name:"urlTemplate",inputMode:"url",required:!0,maxLength:2e3,autocomplete:"off",spellcheck:!1,defaultValue:e?.urlTemplate??"",placeholder:"https://api.example.com/orders/{order_id}","aria-invalid":s("urlTemplate")||void 0,"aria-describedby":d("urlTemplate","action-urlTemplate-hint")})]}),t("p",{id:"action-urlTemplate-hint",class:"meta hint",children:["An https URL; ","{param}"," placeholders in the path and query, each a property of the parameters."]}),g("urlTemplate"),t("label",{children:["Parameters (JSON Schema of an object)",t("textarea",{name:"parameters",rows:8,required:!0,spellcheck:!1,defaultValue:JSON.stringify(e?.parameters??{type:"object",properties:{},required:[]},null,2),"aria-invalid":s("parameters")||void 0,"aria-describedby":d("parameters","action-parameters-hint")})]}),t("p",{id:"action-parameters-hint",class:"meta hint",children:"Parameters not in the URL go in the JSON body (POST, PUT, PATCH) or the query string (GET, DELETE)."}),g("parameters"),t("fieldset",{children:[t("legend",{children:"Request headers"}),i.length>0&&t($e,{label:"Request headers",children:t("table",{class:"headers",children:[t("thead",{children:t("tr",{children:[t("th",{scope:"col",children:"Name"}),t("th",{scope:"col",children:"Value"}),t("th",{scope:"col",children:t("span",{class:"visually-hidden",children:"Remove"})})]})}),t("tbody",{children:i.map((b,v)=>[t("tr",{children:[t("td",{children:t("input",{name:`headers.${v}.name`,"aria-label":`Header ${v+1} name`,required:!0,autocomplete:"off",spellcheck:!1,value:b.name,onInput:p=>o(v,{name:p.target.value}),"aria-invalid":s(`headers.${v}.name`)||void 0,"aria-describedby":d(`headers.${v}.name`)})}),t("td",{children:t("input",{name:`headers.${v}.value`,"aria-label":`Header ${v+1} value`,autocomplete:"off",spellcheck:!1,value:b.value,onInput:p=>o(v,{value:p.target.value}),"aria-invalid":s(`headers.${v}.value`)||void 0,"aria-describedby":d(`headers.${v}.value`)})}),t("td",{children:t("button",{type:"button",class:"link",onClick:()=>m(i.filter((p,h)=>h!==v)),children:["Remove",t("span",{class:"visually-hidden",children:[" header ",v+1]})]})})]},b.key),(s(`headers.${v}.name`)||s(`headers.${v}.value`))&&t("tr",{children:t("td",{colSpan:3,children:[g(`headers.${v}.name`),g(`headers.${v}.value`)]})},`${b.key}-error`)])})]})}),t("button",{type:"button",name:"headers",disabled:i.length>=In,"aria-describedby":d("headers"),onClick:()=>m([...i,{key:++Dn,name:"",value:""}]),children:"Add header"}),g("headers"),t("p",{class:"meta",children:"Values are sent as written and shown to owners and admins only; agents see the names."})]}),t("label",{class:"inline",children:[t("input",{type:"checkbox",name:"requiresCustomerToken",defaultChecked:e?.requiresCustomerToken??!1})," Send the customer's bearer token (from identify) as Authorization: Bearer"]}),t("div",{class:"reply-actions",children:[t("button",{type:"submit",children:e?"Save action":"Create action"}),t("button",{type:"button",class:"link",onClick:r,children:"Cancel"})]})]})}function $e({label:e,children:n}){return t("div",{class:"scroll",role:"region","aria-label":e,tabIndex:0,children:n})}function Or({secret:e}){let[n,r]=A(!1);return t("p",{children:[n?t("code",{children:e}):t("span",{class:"meta",children:"Hidden."})," ",t("button",{type:"button",class:"link","aria-expanded":n,onClick:()=>r(!n),children:n?"Hide":"Show secret"})]})}function he({text:e}){let n=K(null);return L(()=>{n.current&&n.current.replaceChildren(Rt(e,[],location.origin))},[e]),t("div",{class:"md",ref:n})}function se(e){if(!e)return"";let n=new Date(e);return n.toDateString()===new Date().toDateString()?n.toLocaleTimeString([],{hour:"2-digit",minute:"2-digit"}):n.toLocaleDateString([],{month:"short",day:"numeric"})}vt(t(tr,{}),document.getElementById("root"));})();
